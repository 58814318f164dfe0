import { AdminCommand } from '../../lib/cli/admin-command.js'
import { listProducts, type Product } from '../../lib/catalog/products.js'

export default class ProductList extends AdminCommand {
  static override summary = 'List products.'
  static override description = 'Lists every product with its id and whether it appears on the public mirror list. With --json: an array of {id, name, publiclist}.'
  static override examples = [
    { description: 'As a table', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Names only, for a script', command: "<%= config.bin %> <%= command.id %> --json | jq -r '.[].name'" },
  ]

  async run(): Promise<Product[]> {
    await this.parse(ProductList)
    const products = await listProducts(await this.sql())
    this.showTable(
      [
        { header: 'id', value: (p: Product) => p.id },
        { header: 'name', value: (p) => p.name },
        { header: 'publiclist', value: (p) => p.publiclist },
      ],
      products,
      'no products (add one with `mirrormanager product add NAME`)',
    )
    return products
  }
}
