import { definedChanges, uniquely } from '../db/conflicts.js'
import type { Sql } from '../db/sql.js'
import { ConflictError, NotFoundError } from '../errors.js'
import { requireName } from '../validate/name.js'
import { referenceId } from '../validate/reference.js'

export interface Product {
  id: number
  name: string
  publiclist: boolean
}

export interface ProductChanges {
  name?: string
  publiclist?: boolean
}

export async function addProduct(sql: Sql, input: { name: string; publiclist?: boolean }): Promise<Product> {
  const name = requireName(input.name, 'product name')
  const [product] = await uniquely(
    sql<Product[]>`insert into product (name, publiclist) values (${name}, ${input.publiclist ?? true}) returning *`,
    `product "${name}" already exists`,
  )
  return product
}

export async function listProducts(sql: Sql): Promise<Product[]> {
  return sql<Product[]>`select * from product order by name`
}

export async function getProduct(sql: Sql, name: string): Promise<Product> {
  const [product] = await sql<Product[]>`select * from product where name = ${name} or id = ${referenceId(name)} order by name = ${name} desc limit 1`
  if (!product) throw new NotFoundError(`no product named "${name}" (see \`mirrormanager product list\`)`)
  return product
}

export async function updateProduct(sql: Sql, name: string, changes: ProductChanges): Promise<Product> {
  const set = definedChanges({ ...changes, name: changes.name === undefined ? undefined : requireName(changes.name, 'product name') })
  const product = await getProduct(sql, name)
  if (Object.keys(set).length === 0) return product
  const [updated] = await uniquely(
    sql<Product[]>`update product set ${sql(set)} where id = ${product.id} returning *`,
    `product "${set.name}" already exists`,
  )
  return updated
}

/** Removes a product and its versions; refused while categories belong to it. */
export async function removeProduct(sql: Sql, name: string): Promise<Product> {
  const product = await getProduct(sql, name)
  const categories = await sql<{ name: string }[]>`select name from category where product_id = ${product.id} order by name`
  if (categories.length > 0) {
    throw new ConflictError(
      `product "${name}" still has ${categories.length} categor${categories.length === 1 ? 'y' : 'ies'} (${categories.map((c) => c.name).join(', ')}); remove or move them first`,
    )
  }
  await sql`delete from product where id = ${product.id}`
  return product
}
