/**
 * What selection is asked (the resolved request) and the tiers it answers from: shared by
 * select.ts and explain.ts, in a file of their own so that neither imports the other's
 * module for them.
 */
import type { ParsedIp } from '../netblocks/ip.js'
import type { IndexedDirectory } from './index/index-types.js'

export type Tier = 'netblock' | 'asn' | 'country' | 'continent' | 'global'

export interface SelectionRequest {
  directory: IndexedDirectory
  /** file inside the directory ('' when the directory itself is asked for) */
  file: string
  /** a directory was asked for: URLs end with `/` */
  pathIsDirectory: boolean
  clientIp: ParsedIp
  /** country= / cc= items as typed (sorted, de-duplicated); empty when not given */
  requestedCountries: readonly string[]
  /** false for netblock=0 */
  useNetblocks: boolean
  /** protocol=: the raw value (for the header) and its items; undefined when not given */
  protocol: { raw: string; items: readonly string[] } | undefined
  /** explain=1 on a server that allows it: say why each host was chosen or left out */
  explain?: boolean
}
