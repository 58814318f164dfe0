import * as Flags from '@oclif/core/flags'
import type { ConfigKey } from '../config/keys.js'

/** The flags netblocks global and netblocks internet2 share. */
export const netblockTableFlags = {
  output: Flags.string({ char: 'o', summary: 'Table file to write ("<cidr> <asn>" lines), replaced atomically.', required: true }),
  source: Flags.string({
    summary: 'A BGP table dump (MRT: bz2, gz or plain), file or http(s) URL; repeat to merge several (the first naming a prefix wins). Default: the config\'s sources.',
    multiple: true,
  }),
  'max-shrink': Flags.string({ summary: 'Refuse a table with fewer than (1 - this) x the old entries, keeping the old file. Default: 0.2.' }),
  force: Flags.boolean({ summary: 'Install the new table even when it shrank by more than --max-shrink.' }),
}

export function netblockTableConfigFlags(flags: Record<string, unknown>): Partial<Record<ConfigKey, unknown>> {
  return { 'netblocks.max_shrink': flags['max-shrink'] }
}
