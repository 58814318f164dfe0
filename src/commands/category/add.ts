import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { categoryFields, categoryFlags } from '../../lib/cli/admin-flags.js'
import { addCategory, type Category } from '../../lib/catalog/categories.js'

export default class CategoryAdd extends AdminCommand {
  static override summary = 'Add a category: a tree of the master mirror that hosts can carry.'
  static override description = `A category (e.g. "Fedora Linux") belongs to a product and has a top directory in the master tree (e.g. pub/fedora/linux); the directory row is created if it does not exist yet, and umdl fills in everything below it. Admin-only categories can only be added to hosts by the network admins.

Category names are unique (exit status 6 otherwise); the product must exist (exit status 5).`
  static override examples = [
    { description: 'The main Fedora tree', command: '<%= config.bin %> <%= command.id %> "Fedora Linux" --product Fedora --topdir pub/fedora/linux --canonical-host https://dl.fedoraproject.org' },
    { description: 'An admin-only tree kept off the public list', command: '<%= config.bin %> <%= command.id %> "Fedora Secondary Arches" --product Fedora --topdir pub/fedora-secondary --admin-only --no-publiclist' },
  ]
  static override args = { name: Args.string({ description: 'Category name.', required: true }) }
  static override flags = {
    ...categoryFlags,
    product: Flags.string({ summary: categoryFlags.product.summary, required: true }),
    topdir: Flags.string({ summary: categoryFlags.topdir.summary, required: true }),
  }

  async run(): Promise<Category> {
    const { args, flags } = await this.parse(CategoryAdd)
    const category = await addCategory(await this.sql(), args.name, { ...categoryFields(flags), product: flags.product, topdir: flags.topdir })
    this.showRecord(category)
    return category
  }
}
