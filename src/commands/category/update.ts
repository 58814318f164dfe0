import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { categoryFields, categoryFlags } from '../../lib/cli/admin-flags.js'
import { updateCategory, type Category } from '../../lib/catalog/categories.js'

export default class CategoryUpdate extends AdminCommand {
  static override summary = 'Change a category: name, product, top directory, flags.'
  static override description = 'Only the fields given change, all in one transaction. A new top directory is created if missing.'
  static override examples = [
    { description: 'Make a category admin-only', command: '<%= config.bin %> <%= command.id %> "Fedora Secondary Arches" --admin-only' },
    { description: 'Move the top directory', command: '<%= config.bin %> <%= command.id %> "Fedora Archive" --topdir pub/archive/fedora/linux' },
  ]
  static override args = { name: Args.string({ description: 'Category name, or its numeric id (see list).', required: true }) }
  static override flags = { name: Flags.string({ summary: 'New name.' }), ...categoryFlags }

  async run(): Promise<Category> {
    const { args, flags } = await this.parse(CategoryUpdate)
    const category = await updateCategory(await this.sql(), args.name, { name: flags.name, ...categoryFields(flags) })
    this.showRecord(category)
    return category
  }
}
