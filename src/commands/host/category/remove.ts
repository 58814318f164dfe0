import * as Args from '@oclif/core/args'
import { AdminCommand } from '../../../lib/cli/admin-command.js'
import { removeHostCategory, type HostCategory } from '../../../lib/hosts/host-categories.js'
import { HOST_REFERENCE_HELP } from '../../../lib/hosts/host-ref.js'

export default class HostCategoryRemove extends AdminCommand {
  static override summary = 'Stop a host carrying a category (its URLs for it go too).'
  static override description = `${HOST_REFERENCE_HELP} Exit status 5 if the host does not carry the category.`
  static override examples = [
    { description: 'Drop a category', command: '<%= config.bin %> <%= command.id %> "Example University/mirror.example.edu" "Fedora Secondary Arches"' },
    { description: 'By host id, in a script', command: '<%= config.bin %> <%= command.id %> 42 "Fedora Linux" --json' },
  ]
  static override args = {
    host: Args.string({ description: HOST_REFERENCE_HELP, required: true }),
    category: Args.string({ description: 'Category name.', required: true }),
  }

  async run(): Promise<HostCategory> {
    const { args } = await this.parse(HostCategoryRemove)
    const removed = await this.audited('host.category.remove', { host: args.host }, (tx) => removeHostCategory(tx, args.host, args.category), { before: async () => args.category, after: () => null })
    this.log(`host "${removed.host}" no longer carries "${removed.category}"`)
    return removed
  }
}
