import { BaseCommand } from '../../lib/cli/base-command.js'
import { netblockTableConfigFlags, netblockTableFlags } from '../../lib/cli/netblocks-flags.js'
import { buildNetblockTable, type BuildTableResult } from '../../lib/netblocks/build-table.js'

export default class NetblocksInternet2 extends BaseCommand {
  static override summary = 'Build the Internet2 prefix -> ASN table (internet2_clients matching) from Internet2 routers\' RIBs.'
  static override description = `The same as netblocks global, from the RIB dumps of several Internet2 routers merged into one table (the first router naming a prefix wins): without --source, netblocks.internet2_sources — each router's newest RIB of yesterday, as MirrorManager2's mm2_get_internet2_netblocks.

Atomic replacement, shrink protection (--max-shrink, --force) and netblocks.exclude work as in netblocks global.`
  static override examples = [
    { description: 'Daily from cron', command: '<%= config.bin %> <%= command.id %> -o /var/lib/mirrormanager/internet2_netblocks.txt' },
    {
      description: 'Two routers\' dumps of a given day',
      command:
        '<%= config.bin %> <%= command.id %> -o i2.txt --source http://routes.net.internet2.edu/bgp/RIBS/CHIC/2026/01/01/ --source http://routes.net.internet2.edu/bgp/RIBS/WASH/2026/01/01/',
    },
  ]

  static override flags = { ...netblockTableFlags }

  protected override configFlags(flags: Record<string, unknown>) {
    return { ...super.configFlags(flags), ...netblockTableConfigFlags(flags) }
  }

  async run(): Promise<BuildTableResult> {
    const { flags } = await this.parse(NetblocksInternet2)
    return buildNetblockTable({
      sources: flags.source ?? this.mmConfig.get('netblocks.internet2_sources'),
      output: flags.output,
      exclude: this.mmConfig.get('netblocks.exclude'),
      maxShrink: this.mmConfig.get('netblocks.max_shrink'),
      force: flags.force,
      logger: this.logger,
    })
  }
}
