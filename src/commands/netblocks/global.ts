import * as Flags from '@oclif/core/flags'
import { ASN_PACKAGE, asnPackageFiles } from '../../lib/netblocks/asn-ranges.js'
import { BaseCommand } from '../../lib/cli/base-command.js'
import { netblockTableConfigFlags, netblockTableFlags } from '../../lib/cli/netblocks-flags.js'
import { buildNetblockTable, type BuildTableResult } from '../../lib/netblocks/build-table.js'

export default class NetblocksGlobal extends BaseCommand {
  static override summary = 'Build the prefix -> ASN table serve-mirrorlist --global-netblocks reads, from BGP routing dumps.'
  static override description = `Reads BGP RIB dumps in MRT format (RFC 6396 TABLE_DUMP_V2 and the older TABLE_DUMP; bzip2, gzip or plain, recognised by content) from files or http(s) URLs, streaming, and writes one "<prefix>/<length> <origin AS>" line per IPv4 and IPv6 prefix. The origin AS is the last AS of the first RIB entry's AS path (README "Netblocks" says how AS_SETs count). Several sources are merged: the first naming a prefix wins. Prefixes in netblocks.exclude are left out.

The file is replaced atomically, and only when every source was read to its end: a truncated or corrupt dump fails with the offset of the bad record and changes nothing. A table with fewer than (1 - --max-shrink) x the old file's entries is refused (exit 6, old file kept) unless --force.

Without --source, netblocks.global_sources is read: RouteViews' IPv4 table and its newest IPv6 RIB, as MirrorManager2's mm2_get_global_netblocks.

Offline, with no dump at all: --from-asn-package turns the IP range -> ASN CSV files of the npm package @ip-location-db/asn (CC-BY-4.0, RouteViews + DB-IP; about 65 MB, so not installed by default: npm install @ip-location-db/asn) into the same table, each range as the CIDR blocks covering it; --asn-csv reads such a file directly.`
  static override examples = [
    { description: 'Daily from cron: RouteViews\' IPv4 and IPv6 tables', command: '<%= config.bin %> <%= command.id %> -o /var/lib/mirrormanager/global_netblocks.txt' },
    {
      description: 'From dumps already downloaded, refusing more than 10% shrinkage',
      command: '<%= config.bin %> <%= command.id %> -o global_netblocks.txt --source rib.20260101.0000.bz2 --source rib6.20260101.0000.bz2 --max-shrink 0.1',
    },
    { description: 'Offline, from the optional @ip-location-db/asn package', command: '<%= config.bin %> <%= command.id %> -o global_netblocks.txt --from-asn-package' },
  ]

  static override flags = {
    ...netblockTableFlags,
    'from-asn-package': Flags.boolean({ summary: `Also (without --source: only) read the IP range -> ASN CSVs of the optional npm package ${ASN_PACKAGE} (npm install it first).` }),
    'asn-csv': Flags.string({ summary: 'Also (without --source: only) read this IP range -> ASN CSV (start,end,asn,... as in @ip-location-db/asn); repeatable.', multiple: true }),
  }

  protected override configFlags(flags: Record<string, unknown>) {
    return { ...super.configFlags(flags), ...netblockTableConfigFlags(flags) }
  }

  async run(): Promise<BuildTableResult> {
    const { flags } = await this.parse(NetblocksGlobal)
    const asnCsvFiles = [...(flags['asn-csv'] ?? []), ...(flags['from-asn-package'] ? asnPackageFiles() : [])]
    return buildNetblockTable({
      sources: flags.source ?? (asnCsvFiles.length > 0 ? [] : this.mmConfig.get('netblocks.global_sources')),
      asnCsvFiles,
      output: flags.output,
      exclude: this.mmConfig.get('netblocks.exclude'),
      maxShrink: this.mmConfig.get('netblocks.max_shrink'),
      force: flags.force,
      logger: this.logger,
    })
  }
}
