import { AdminCommand } from '../../lib/cli/admin-command.js'
import { listSites, type Site } from '../../lib/sites/sites.js'

export default class SiteList extends AdminCommand {
  static override summary = 'List sites with their host counts.'
  static override description = 'With --json: an array of site objects (never the password hash; hasPassword says whether one is set).'
  static override examples = [
    { description: 'As a table', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Sites without a password, for a script', command: "<%= config.bin %> <%= command.id %> --json | jq -r '.[] | select(.hasPassword | not) | .name'" },
  ]

  async run(): Promise<Site[]> {
    await this.parse(SiteList)
    const sites = await listSites(await this.sql())
    this.showTable(
      [
        { header: 'id', value: (s: Site) => s.id },
        { header: 'name', value: (s) => s.name },
        { header: 'hosts', value: (s) => s.hosts },
        { header: 'private', value: (s) => s.private },
        { header: 'admin active', value: (s) => s.adminActive },
        { header: 'user active', value: (s) => s.userActive },
        { header: 'password', value: (s) => s.hasPassword },
      ],
      sites,
      'no sites (add one with `mirrormanager site add NAME`)',
    )
    return sites
  }
}
