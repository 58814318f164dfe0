import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { removeSite, type Site } from '../../lib/sites/sites.js'

export default class SiteRemove extends AdminCommand {
  static override summary = 'Remove a site, with its admins and hosts.'
  static override description = 'Removing a site removes its hosts and everything about them (categories, URLs, netblocks). If the site has hosts this is refused (exit status 6, saying how many) unless --force is given.'
  static override examples = [
    { description: 'Remove a site without hosts', command: '<%= config.bin %> <%= command.id %> "Example University"' },
    { description: 'Remove a site and its hosts', command: '<%= config.bin %> <%= command.id %> "Defunct Mirror Org" --force' },
  ]
  static override args = { name: Args.string({ description: 'Site name, or its numeric id (see list).', required: true }) }
  static override flags = { force: Flags.boolean({ summary: 'Remove the site even if it has hosts (they are removed too).' }) }

  async run(): Promise<{ removed: Site }> {
    const { args, flags } = await this.parse(SiteRemove)
    const removed = await removeSite(await this.sql(), args.name, { force: flags.force })
    this.log(`removed site "${removed.name}"${removed.hosts ? ` and its ${removed.hosts} host(s)` : ''}`)
    return { removed }
  }
}
