import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { addProduct, type Product } from '../../lib/catalog/products.js'

export default class ProductAdd extends AdminCommand {
  static override summary = 'Add a product (a distribution such as Fedora or EPEL).'
  static override description = `A product groups versions (releases) and categories (the trees mirrors carry). Product names are unique; adding an existing name fails with exit status 6 and changes nothing.`
  static override examples = [
    { description: 'Add Fedora', command: '<%= config.bin %> <%= command.id %> Fedora' },
    { description: 'Add a product hidden from the public mirror list', command: '<%= config.bin %> <%= command.id %> "Fedora Internal" --no-publiclist' },
  ]
  static override args = { name: Args.string({ description: 'Product name.', required: true }) }
  static override flags = {
    publiclist: Flags.boolean({ summary: 'Show the product on the public mirror list (default: yes).', allowNo: true }),
  }

  async run(): Promise<Product> {
    const { args, flags } = await this.parse(ProductAdd)
    const product = await addProduct(await this.sql(), { name: args.name, publiclist: flags.publiclist })
    this.showRecord(product)
    return product
  }
}
