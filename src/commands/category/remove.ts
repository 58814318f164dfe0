import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { removeCategory, type Category } from '../../lib/catalog/categories.js'

export default class CategoryRemove extends AdminCommand {
  static override summary = 'Remove a category.'
  static override description = 'Hosts carrying the category lose it (with its URLs), and its repositories are removed. While there are any, this is refused (exit status 6, saying how many) unless --force is given.'
  static override examples = [
    { description: 'Remove an unused category', command: '<%= config.bin %> <%= command.id %> "Fedora Test"' },
    { description: 'Remove a category hosts still carry', command: '<%= config.bin %> <%= command.id %> "Fedora Secondary Arches" --force' },
  ]
  static override args = { name: Args.string({ description: 'Category name, or its numeric id (see list).', required: true }) }
  static override flags = { force: Flags.boolean({ summary: 'Remove it even though hosts carry it or it has repositories.' }) }

  async run(): Promise<{ removed: Category }> {
    const { args, flags } = await this.parse(CategoryRemove)
    const removed = await removeCategory(await this.sql(), args.name, { force: flags.force })
    this.log(`removed category "${removed.name}"`)
    return { removed }
  }
}
