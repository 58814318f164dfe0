import { NotFoundError } from '../errors.js'
import type { Sql } from '../db/sql.js'

/** A category with its product and top directory, as the lifecycle commands need it. */
export interface CategoryTree {
  id: number
  name: string
  productId: number | null
  productName: string | null
  /** Full path of the category's top directory, e.g. `pub/fedora/linux`. */
  topdir: string
}

export async function categoryNames(sql: Sql): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`select name from category order by name`
  return rows.map((row) => row.name)
}

/** The category by name, or null when there is none (or it has no top directory). */
export async function findCategoryTree(sql: Sql, name: string): Promise<CategoryTree | null> {
  const [row] = await sql<CategoryTree[]>`
    select c.id, c.name, c.product_id, p.name as product_name, d.name as topdir
    from category c
    left join product p on p.id = c.product_id
    join directory d on d.id = c.topdir_id
    where c.name = ${name}`
  return row ?? null
}

/** Like findCategoryTree, but a missing category is an error that lists the available ones. */
export async function requireCategoryTree(sql: Sql, name: string): Promise<CategoryTree> {
  const category = await findCategoryTree(sql, name)
  if (category) return category
  const available = await categoryNames(sql)
  throw new NotFoundError(
    `No category could be found by the name: ${name} (available categories: ${available.join(', ') || 'none'})`,
    { details: { category: name, available } },
  )
}

export interface VersionRef {
  id: number
  name: string
  productId: number
  productName: string
}

export async function findVersion(sql: Sql, productId: number, version: string): Promise<VersionRef | null> {
  const [row] = await sql<VersionRef[]>`
    select v.id, v.name, v.product_id, p.name as product_name
    from version v join product p on p.id = v.product_id
    where v.product_id = ${productId} and v.name = ${version}`
  return row ?? null
}

export async function findProductId(sql: Sql, name: string): Promise<number | null> {
  const [row] = await sql<{ id: number }[]>`select id from product where name = ${name}`
  return row?.id ?? null
}

/** The product and version by name; errors say which one is missing. */
export async function requireProductVersion(sql: Sql, product: string, version: string): Promise<VersionRef> {
  const productId = await findProductId(sql, product)
  if (productId === null) throw new NotFoundError(`No such product: ${product}`, { details: { product } })
  const found = await findVersion(sql, productId, version)
  if (!found) throw new NotFoundError(`No such version: ${version}`, { details: { product, version } })
  return found
}
