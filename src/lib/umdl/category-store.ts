/**
 * Reading a category's stored state, before the (slow) scan and outside any transaction.
 */
import { NotFoundError, ValidationError } from '../errors.js'
import type { Sql } from '../db/sql.js'
import { storedTree, type StoredTree } from './scan-types.js'

export interface CategoryRow {
  id: number
  name: string
  productId: number | null
  topdirId: number
  /** e.g. pub/fedora/linux */
  topdirName: string
}

export interface StoredDirectory {
  id: number
  ctime: number
  readable: boolean
}

export async function loadCategory(sql: Sql, name: string): Promise<CategoryRow> {
  const [row] = await sql<{ id: number; name: string; productId: number | null; topdirId: number | null; topdirName: string | null }[]>`
    select c.id, c.name, c.product_id, c.topdir_id, d.name as topdir_name
    from category c left join directory d on d.id = c.topdir_id
    where c.name = ${name}`
  if (!row) throw new NotFoundError(`category "${name}" is not in the database; create it first (with its top directory)`)
  if (row.topdirId === null || row.topdirName === null) {
    throw new ValidationError(`category "${name}" has no top directory; set one before scanning it`)
  }
  return { ...row, topdirId: row.topdirId, topdirName: row.topdirName }
}

export interface StoredCategory {
  /** Every directory of the category under its top, by path relative to the top ("" = the top). */
  directories: Map<string, StoredDirectory>
  /** The same, as the scan compares with it. */
  tree: StoredTree
}

/**
 * Reads the stored directories of a category. One row comes back, an array of arrays
 * (json_agg): tens of thousands of rows would cost far more in protocol messages and
 * row objects than one JSON.parse, and this read is most of an unchanged run's cost.
 */
export async function loadStoredDirectories(sql: Sql, category: CategoryRow): Promise<StoredCategory> {
  const top = category.topdirName
  const [{ rows }] = await sql<{ rows: [id: number, ctime: number, readable: boolean, name: string][] | null }[]>`
    select json_agg(json_build_array(d.id, d.ctime, d.readable, d.name)) as rows
    from category_directory cd join directory d on d.id = cd.directory_id
    where cd.category_id = ${category.id}`
  const directories = new Map<string, StoredDirectory>()
  const ctimes = new Map<string, number>()
  const prefix = `${top}/`
  for (const [id, ctime, readable, name] of rows ?? []) {
    let path: string
    if (name === top) path = ''
    else if (name.startsWith(prefix)) path = name.slice(prefix.length)
    else continue // linked to the category but outside its tree: not ours to judge
    directories.set(path, { id, ctime, readable })
    ctimes.set(path, ctime)
  }
  if (!directories.has('')) {
    // Not linked yet: never trust its ctime (its subdirectories are not known), list it.
    const [topdir] = await sql<{ readable: boolean }[]>`select readable from directory where id = ${category.topdirId}`
    directories.set('', { id: category.topdirId, ctime: -1, readable: topdir.readable })
    ctimes.set('', -1)
  }
  return { directories, tree: storedTree(ctimes) }
}

export async function listCategoryNames(sql: Sql): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`select name from category order by name`
  return rows.map((row) => row.name)
}
