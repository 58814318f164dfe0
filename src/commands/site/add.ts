import * as Args from '@oclif/core/args'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { siteFields, siteFlags } from '../../lib/cli/admin-flags.js'
import { addSite, type Site } from '../../lib/sites/sites.js'

export default class SiteAdd extends AdminCommand {
  static override summary = 'Add a site: the organisation that runs one or more mirror hosts.'
  static override description = `Site names are unique (exit status 6 otherwise). Set the password report-mirror uses with \`mirrormanager site password SITE\`, then add hosts with \`mirrormanager host add "SITE/HOST"\`.`
  static override examples = [
    { description: 'A university mirror', command: '<%= config.bin %> <%= command.id %> "Example University" --org-url https://www.example.edu --created-by alice' },
    { description: 'A private site (its hosts serve only their own networks)', command: '<%= config.bin %> <%= command.id %> "Example Corp" --private' },
  ]
  static override args = { name: Args.string({ description: 'Site name.', required: true }) }
  static override flags = siteFlags

  async run(): Promise<Site> {
    const { args, flags } = await this.parse(SiteAdd)
    const site = await this.audited('site.create', { site: args.name }, (tx) => addSite(tx, args.name, siteFields(flags)), { subjectAfter: (s) => ({ site: s.name }) })
    this.showRecord(site)
    return site
  }
}
