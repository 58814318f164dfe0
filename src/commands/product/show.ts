import * as Args from '@oclif/core/args'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { getProduct, type Product } from '../../lib/catalog/products.js'

export default class ProductShow extends AdminCommand {
  static override summary = 'Show one product.'
  static override description = 'Prints the product\'s fields; exit status 5 if there is no such product.'
  static override examples = [
    { description: 'Show Fedora', command: '<%= config.bin %> <%= command.id %> Fedora' },
    { description: 'As JSON', command: '<%= config.bin %> <%= command.id %> EPEL --json' },
  ]
  static override args = { name: Args.string({ description: 'Product name, or its numeric id (see list).', required: true }) }

  async run(): Promise<Product> {
    const { args } = await this.parse(ProductShow)
    const product = await getProduct(await this.sql(), args.name)
    this.showRecord(product)
    return product
  }
}
