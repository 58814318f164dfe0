import * as Args from '@oclif/core/args'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { getCategory, type Category } from '../../lib/catalog/categories.js'

export default class CategoryShow extends AdminCommand {
  static override summary = 'Show one category.'
  static override description = 'Prints the category\'s fields; exit status 5 if there is no such category.'
  static override examples = [
    { description: 'Show the main Fedora tree', command: '<%= config.bin %> <%= command.id %> "Fedora Linux"' },
    { description: 'As JSON', command: '<%= config.bin %> <%= command.id %> "Fedora EPEL" --json' },
  ]
  static override args = { name: Args.string({ description: 'Category name, or its numeric id (see list).', required: true }) }

  async run(): Promise<Category> {
    const { args } = await this.parse(CategoryShow)
    const category = await getCategory(await this.sql(), args.name)
    this.showRecord(category)
    return category
  }
}
