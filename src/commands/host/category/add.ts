import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { AdminCommand } from '../../../lib/cli/admin-command.js'
import { addHostCategory, type HostCategory } from '../../../lib/hosts/host-categories.js'
import { HOST_REFERENCE_HELP } from '../../../lib/hosts/host-ref.js'

export default class HostCategoryAdd extends AdminCommand {
  static override summary = 'Declare that a host carries a category.'
  static override description = `${HOST_REFERENCE_HELP} The crawler then checks which of the category's directories the host has up to date; with --always-up2date it is trusted to have all of them (for hosts that sync very often or are the master itself). Exit status 6 if the host carries the category already.`
  static override examples = [
    { description: 'Carry the main Fedora tree', command: '<%= config.bin %> <%= command.id %> "Example University/mirror.example.edu" "Fedora Linux"' },
    { description: 'A tier-1 host that is always current', command: '<%= config.bin %> <%= command.id %> dl.example.org "Fedora EPEL" --always-up2date' },
  ]
  static override args = {
    host: Args.string({ description: HOST_REFERENCE_HELP, required: true }),
    category: Args.string({ description: 'Category name.', required: true }),
  }
  static override flags = { 'always-up2date': Flags.boolean({ summary: 'Treat the host as always up to date for this category.' }) }

  async run(): Promise<HostCategory> {
    const { args, flags } = await this.parse(HostCategoryAdd)
    const added = await this.audited('host.category.add', { host: args.host }, (tx) => addHostCategory(tx, args.host, args.category, { alwaysUp2date: flags['always-up2date'] }))
    this.log(`host "${added.host}" now carries "${added.category}"`)
    return added
  }
}
