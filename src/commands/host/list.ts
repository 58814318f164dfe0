import * as Flags from '@oclif/core/flags'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { listHosts, type Host } from '../../lib/hosts/hosts.js'

export default class HostList extends AdminCommand {
  static override summary = 'List mirror hosts, of all sites or of one.'
  static override description = 'With --json: an array of host objects (id, site, name, country, bandwidth, flags, crawl state).'
  static override examples = [
    { description: 'All hosts', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'German hosts as SITE/HOST, for a script', command: "<%= config.bin %> <%= command.id %> --country DE --json | jq -r '.[] | \"\\(.site)/\\(.name)\"'" },
  ]
  static override flags = {
    site: Flags.string({ summary: 'Only this site\'s hosts.' }),
    country: Flags.string({ summary: 'Only hosts in this country (ISO 3166-1 alpha-2).' }),
  }

  async run(): Promise<Host[]> {
    const { flags } = await this.parse(HostList)
    const hosts = await listHosts(await this.sql(), flags)
    this.showTable(
      [
        { header: 'id', value: (h: Host) => h.id },
        { header: 'site', value: (h) => h.site },
        { header: 'host', value: (h) => h.name },
        { header: 'country', value: (h) => h.country },
        { header: 'bandwidth', value: (h) => h.bandwidth },
        { header: 'private', value: (h) => h.private },
        { header: 'active', value: (h) => h.adminActive && h.userActive },
        { header: 'last crawled', value: (h) => h.lastCrawled },
      ],
      hosts,
      'no hosts (add one with `mirrormanager host add SITE/HOST --country CC`)',
    )
    return hosts
  }
}
