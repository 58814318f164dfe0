import { definedChanges, uniquely } from '../db/conflicts.js'
import type { Sql } from '../db/sql.js'
import { ConflictError, NotFoundError } from '../errors.js'
import { requireName } from '../validate/name.js'
import { optionalText } from '../validate/text.js'
import { referenceId } from '../validate/reference.js'
import { getProduct } from './products.js'

export interface Version {
  id: number
  product: string
  name: string
  isTest: boolean
  display: boolean
  displayName: string | null
  orderedMirrorlist: boolean
  sortorder: number
  codename: string | null
}

export interface VersionFields {
  isTest?: boolean
  display?: boolean
  displayName?: string
  orderedMirrorlist?: boolean
  sortorder?: number
  codename?: string
}

export interface VersionChanges extends VersionFields {
  name?: string
}

const COLUMNS = ['isTest', 'display', 'displayName', 'orderedMirrorlist', 'sortorder', 'codename'] as const

function selectVersions(sql: Sql) {
  return sql`select v.id, p.name as product, v.name, v.is_test, v.display, v.display_name,
      v.ordered_mirrorlist, v.sortorder, v.codename
    from version v join product p on p.id = v.product_id`
}

/** The fields with their free text checked (validate/text.ts). */
function versionText<T extends VersionFields>(fields: T): T {
  return { ...fields, displayName: optionalText(fields.displayName, 'display-name'), codename: optionalText(fields.codename, 'codename') }
}

export async function addVersion(sql: Sql, productName: string, name: string, fields: VersionFields = {}): Promise<Version> {
  const checked = { name: requireName(name, 'version name'), ...definedChanges(versionText(fields)) }
  const product = await getProduct(sql, productName)
  const row = { productId: product.id, ...checked }
  const columns = ['productId', 'name', ...COLUMNS.filter((c) => c in row)] as (keyof typeof row)[]
  await uniquely(
    sql`insert into version ${sql(row, columns)}`,
    `product "${product.name}" already has a version "${row.name}"`,
  )
  return getVersion(sql, product.name, row.name)
}

export async function listVersions(sql: Sql, productName?: string): Promise<Version[]> {
  const product = productName === undefined ? undefined : await getProduct(sql, productName)
  return sql<Version[]>`${selectVersions(sql)}
    where ${product === undefined ? sql`true` : sql`p.id = ${product.id}`}
    order by p.name, v.sortorder desc, v.name`
}

export async function getVersion(sql: Sql, productName: string, name: string): Promise<Version> {
  const product = await getProduct(sql, productName)
  const [version] = await sql<Version[]>`${selectVersions(sql)}
    where p.id = ${product.id} and (v.name = ${name} or v.id = ${referenceId(name)}) order by v.name = ${name} desc limit 1`
  if (!version) {
    throw new NotFoundError(`product "${productName}" has no version "${name}" (see \`mirrormanager version list --product '${productName}'\`)`)
  }
  return version
}

export async function updateVersion(sql: Sql, productName: string, name: string, changes: VersionChanges): Promise<Version> {
  const set = definedChanges({ ...versionText(changes), name: changes.name === undefined ? undefined : requireName(changes.name, 'version name') })
  const version = await getVersion(sql, productName, name)
  if (Object.keys(set).length === 0) return version
  await uniquely(
    sql`update version set ${sql(set)} where id = ${version.id}`,
    `product "${productName}" already has a version "${set.name}"`,
  )
  return getVersion(sql, productName, set.name ?? name)
}

/** Removes a version; refused while repositories belong to it. */
export async function removeVersion(sql: Sql, productName: string, name: string): Promise<Version> {
  const version = await getVersion(sql, productName, name)
  const [{ count }] = await sql<{ count: number }[]>`select count(*)::int as count from repository where version_id = ${version.id}`
  if (count > 0) {
    throw new ConflictError(`version "${name}" of "${productName}" has ${count} repositor${count === 1 ? 'y' : 'ies'}; move them to the archive or remove them first`)
  }
  await sql`delete from version where id = ${version.id}`
  return version
}
