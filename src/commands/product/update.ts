import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { updateProduct, type Product } from '../../lib/catalog/products.js'

export default class ProductUpdate extends AdminCommand {
  static override summary = 'Rename a product or change whether it is listed publicly.'
  static override description = 'Only the fields given change. Renaming to a name that exists fails with exit status 6.'
  static override examples = [
    { description: 'Rename', command: '<%= config.bin %> <%= command.id %> "Fedora Linux" --name Fedora' },
    { description: 'Hide from the public mirror list', command: '<%= config.bin %> <%= command.id %> EPEL --no-publiclist' },
  ]
  static override args = { name: Args.string({ description: 'Product name, or its numeric id (see list).', required: true }) }
  static override flags = {
    name: Flags.string({ summary: 'New name.' }),
    publiclist: Flags.boolean({ summary: 'Show the product on the public mirror list.', allowNo: true }),
  }

  async run(): Promise<Product> {
    const { args, flags } = await this.parse(ProductUpdate)
    const product = await updateProduct(await this.sql(), args.name, { name: flags.name, publiclist: flags.publiclist })
    this.showRecord(product)
    return product
  }
}
