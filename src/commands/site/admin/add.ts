import * as Args from '@oclif/core/args'
import { AdminCommand } from '../../../lib/cli/admin-command.js'
import { addSiteAdmin, type SiteAdmin } from '../../../lib/sites/site-admins.js'

export default class SiteAdminAdd extends AdminCommand {
  static override summary = 'Let an account administer a site.'
  static override description = 'Site admins manage the site\'s hosts in the mirror-admin interface. Exit status 6 if the account is already an admin of the site.'
  static override examples = [
    { description: 'Add an admin', command: '<%= config.bin %> <%= command.id %> "Example University" alice' },
    { description: 'In a script', command: '<%= config.bin %> <%= command.id %> "Example University" bob --json' },
  ]
  static override args = {
    site: Args.string({ description: 'Site name.', required: true }),
    username: Args.string({ description: 'Account name.', required: true }),
  }

  async run(): Promise<SiteAdmin> {
    const { args } = await this.parse(SiteAdminAdd)
    const admin = await this.audited('site.admin.add', { site: args.site }, (tx) => addSiteAdmin(tx, args.site, args.username), { after: (a) => a.username })
    this.log(`"${admin.username}" now administers site "${admin.site}"`)
    return admin
  }
}
