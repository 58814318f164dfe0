import * as Flags from '@oclif/core/flags'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { listCategories, type Category } from '../../lib/catalog/categories.js'

export default class CategoryList extends AdminCommand {
  static override summary = 'List categories, of all products or of one.'
  static override description = 'With --json: an array of {id, name, product, topdir, canonicalHost, publiclist, geoDnsDomain, adminOnly}.'
  static override examples = [
    { description: 'All categories', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Top directories of Fedora\'s categories', command: "<%= config.bin %> <%= command.id %> --product Fedora --json | jq -r '.[].topdir'" },
  ]
  static override flags = { product: Flags.string({ summary: 'Only this product\'s categories.' }) }

  async run(): Promise<Category[]> {
    const { flags } = await this.parse(CategoryList)
    const categories = await listCategories(await this.sql(), flags.product)
    this.showTable(
      [
        { header: 'id', value: (c: Category) => c.id },
        { header: 'name', value: (c) => c.name },
        { header: 'product', value: (c) => c.product },
        { header: 'topdir', value: (c) => c.topdir },
        { header: 'admin only', value: (c) => c.adminOnly },
        { header: 'publiclist', value: (c) => c.publiclist },
      ],
      categories,
      'no categories (add one with `mirrormanager category add`)',
    )
    return categories
  }
}
