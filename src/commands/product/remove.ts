import * as Args from '@oclif/core/args'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { removeProduct, type Product } from '../../lib/catalog/products.js'

export default class ProductRemove extends AdminCommand {
  static override summary = 'Remove a product and its versions.'
  static override description = 'Refused (exit status 6) while categories belong to the product: remove those first. The product\'s versions are removed with it.'
  static override examples = [
    { description: 'Remove a product added by mistake', command: '<%= config.bin %> <%= command.id %> Fedroa' },
    { description: 'In a script', command: '<%= config.bin %> <%= command.id %> "Old Product" --json' },
  ]
  static override args = { name: Args.string({ description: 'Product name, or its numeric id (see list).', required: true }) }

  async run(): Promise<{ removed: Product }> {
    const { args } = await this.parse(ProductRemove)
    const removed = await removeProduct(await this.sql(), args.name)
    this.log(`removed product "${removed.name}"`)
    return { removed }
  }
}
