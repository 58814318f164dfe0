import { atomically, definedChanges, uniquely } from '../db/conflicts.js'
import type { Sql } from '../db/sql.js'
import { ConflictError, NotFoundError } from '../errors.js'
import { normalizeDirectoryPath, requireName } from '../validate/name.js'
import { normalizeWebUrl } from '../validate/url.js'
import { limitDnsName } from '../validate/text.js'
import { referenceId } from '../validate/reference.js'
import { ensureDirectory } from './directories.js'
import { getProduct } from './products.js'

export interface Category {
  id: number
  name: string
  product: string | null
  topdir: string | null
  canonicalHost: string | null
  publiclist: boolean
  geoDnsDomain: string | null
  adminOnly: boolean
}

export interface CategoryFields {
  product?: string
  topdir?: string
  canonicalHost?: string
  publiclist?: boolean
  geoDnsDomain?: string
  adminOnly?: boolean
}

export interface CategoryChanges extends CategoryFields {
  name?: string
}

function selectCategories(sql: Sql) {
  return sql`select c.id, c.name, p.name as product, d.name as topdir, c.canonical_host, c.publiclist,
      c.geo_dns_domain, c.admin_only
    from category c left join product p on p.id = c.product_id left join directory d on d.id = c.topdir_id`
}

/** Column values for the fields given: resolves the product, creates the top directory. */
async function categoryColumns(sql: Sql, fields: CategoryFields) {
  const productId = fields.product === undefined ? undefined : (await getProduct(sql, fields.product)).id
  const topdirId = fields.topdir === undefined ? undefined : await ensureDirectory(sql, normalizeDirectoryPath(fields.topdir, 'topdir'))
  const canonicalHost = fields.canonicalHost === undefined ? undefined : normalizeWebUrl(fields.canonicalHost, 'canonical-host')
  return definedChanges({
    productId,
    topdirId,
    canonicalHost,
    publiclist: fields.publiclist,
    geoDnsDomain: fields.geoDnsDomain === undefined || fields.geoDnsDomain === '' ? fields.geoDnsDomain : limitDnsName(fields.geoDnsDomain, 'geo-dns-domain'),
    adminOnly: fields.adminOnly,
  })
}

async function linkTopdir(sql: Sql, categoryId: number, topdirId: number | undefined): Promise<void> {
  if (topdirId === undefined) return
  await sql`insert into category_directory (category_id, directory_id) values (${categoryId}, ${topdirId}) on conflict do nothing`
}

/** Adds a category (and its top directory row, if new) in one transaction. */
export async function addCategory(sql: Sql, name: string, fields: CategoryFields & { product: string; topdir: string }): Promise<Category> {
  const categoryName = requireName(name, 'category name')
  return atomically(sql, async (tx) => {
    const columns = await categoryColumns(tx, fields)
    const [{ id }] = await uniquely(
      tx<{ id: number }[]>`insert into category ${tx({ name: categoryName, ...columns })} returning id`,
      `category "${categoryName}" already exists`,
    )
    await linkTopdir(tx, id, columns.topdirId)
    return getCategory(tx, categoryName)
  })
}

export async function listCategories(sql: Sql, productName?: string): Promise<Category[]> {
  const product = productName === undefined ? undefined : await getProduct(sql, productName)
  return sql<Category[]>`${selectCategories(sql)}
    where ${product === undefined ? sql`true` : sql`p.id = ${product.id}`} order by c.name`
}

export async function getCategory(sql: Sql, name: string): Promise<Category> {
  const [category] = await sql<Category[]>`${selectCategories(sql)} where c.name = ${name} or c.id = ${referenceId(name)} order by c.name = ${name} desc limit 1`
  if (!category) throw new NotFoundError(`no category named "${name}" (see \`mirrormanager category list\`)`)
  return category
}

export async function updateCategory(sql: Sql, name: string, changes: CategoryChanges): Promise<Category> {
  return atomically(sql, async (tx) => {
    const category = await getCategory(tx, name)
    const newName = changes.name === undefined ? undefined : requireName(changes.name, 'category name')
    const set = { ...(await categoryColumns(tx, changes)), ...definedChanges({ name: newName }) }
    if (Object.keys(set).length === 0) return category
    await uniquely(tx`update category set ${tx(set)} where id = ${category.id}`, `category "${newName}" already exists`)
    await linkTopdir(tx, category.id, set.topdirId)
    return getCategory(tx, newName ?? name)
  })
}

/**
 * Removes a category. Its host categories (with their URLs) and repositories go with it,
 * so while any exist this needs `force`, and the message says how many.
 */
export async function removeCategory(sql: Sql, name: string, options: { force?: boolean } = {}): Promise<Category> {
  return atomically(sql, async (tx) => {
    const category = await getCategory(tx, name)
    const [{ hosts, repositories }] = await tx<{ hosts: number; repositories: number }[]>`
      select (select count(*)::int from host_category where category_id = ${category.id}) as hosts,
             (select count(*)::int from repository where category_id = ${category.id}) as repositories`
    if ((hosts > 0 || repositories > 0) && !options.force) {
      throw new ConflictError(
        `category "${name}" is carried by ${hosts} host(s) and has ${repositories} repositor${repositories === 1 ? 'y' : 'ies'}; removing it removes those too. Pass --force to do so`,
      )
    }
    await tx`delete from category where id = ${category.id}`
    return category
  })
}
