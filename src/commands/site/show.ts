import * as Args from '@oclif/core/args'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { getSite, type Site } from '../../lib/sites/sites.js'

export default class SiteShow extends AdminCommand {
  static override summary = 'Show one site, its admins and its host count.'
  static override description = 'Exit status 5 if there is no such site. The password is never shown; "has password" says whether one is set.'
  static override examples = [
    { description: 'Show a site', command: '<%= config.bin %> <%= command.id %> "Example University"' },
    { description: 'Its admins, for a script', command: "<%= config.bin %> <%= command.id %> \"Example University\" --json | jq -r '.admins[]'" },
  ]
  static override args = { name: Args.string({ description: 'Site name, or its numeric id (see list).', required: true }) }

  async run(): Promise<Site> {
    const { args } = await this.parse(SiteShow)
    const site = await getSite(await this.sql(), args.name)
    this.showRecord(site)
    return site
  }
}
