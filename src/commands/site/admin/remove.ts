import * as Args from '@oclif/core/args'
import { AdminCommand } from '../../../lib/cli/admin-command.js'
import { removeSiteAdmin, type SiteAdmin } from '../../../lib/sites/site-admins.js'

export default class SiteAdminRemove extends AdminCommand {
  static override summary = 'Stop an account administering a site.'
  static override description = 'Exit status 5 if the account is not an admin of the site.'
  static override examples = [
    { description: 'Remove an admin', command: '<%= config.bin %> <%= command.id %> "Example University" alice' },
    { description: 'In a script', command: '<%= config.bin %> <%= command.id %> "Example University" bob --json' },
  ]
  static override args = {
    site: Args.string({ description: 'Site name.', required: true }),
    username: Args.string({ description: 'Account name.', required: true }),
  }

  async run(): Promise<SiteAdmin> {
    const { args } = await this.parse(SiteAdminRemove)
    const admin = await this.audited('site.admin.remove', { site: args.site }, (tx) => removeSiteAdmin(tx, args.site, args.username), { before: async () => args.username, after: () => null })
    this.log(`"${admin.username}" no longer administers site "${admin.site}"`)
    return admin
  }
}
