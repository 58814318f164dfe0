import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { siteFields, siteFlags } from '../../lib/cli/admin-flags.js'
import { getSite, updateSite, type Site } from '../../lib/sites/sites.js'

export default class SiteUpdate extends AdminCommand {
  static override summary = 'Change a site: name, organisation URL, flags.'
  static override description = 'Only the fields given change. A site that is not admin-active takes all its hosts out of the mirror lists.'
  static override examples = [
    { description: 'Disable a site', command: '<%= config.bin %> <%= command.id %> "Example University" --no-admin-active' },
    { description: 'Rename it', command: '<%= config.bin %> <%= command.id %> "Example Univ" --name "Example University"' },
  ]
  static override args = { name: Args.string({ description: 'Site name, or its numeric id (see list).', required: true }) }
  static override flags = { name: Flags.string({ summary: 'New name.' }), ...siteFlags }

  async run(): Promise<Site> {
    const { args, flags } = await this.parse(SiteUpdate)
    const site = await this.audited('site.edit', { site: args.name }, (tx) => updateSite(tx, args.name, { name: flags.name, ...siteFields(flags) }), { before: (tx) => getSite(tx, args.name) })
    this.showRecord(site)
    return site
  }
}
