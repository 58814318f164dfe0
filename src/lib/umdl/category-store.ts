/**
 * Reading a category's stored state, before the (slow) scan and outside any transaction.
 */
import { NotFoundError, ValidationError } from '../errors.js'
import type { Sql } from '../db/sql.js'
import { storedTree, type StoredEntry, type StoredTree } from './scan-types.js'

export interface CategoryRow {
  id: number
  name: string
  productId: number | null
  topdirId: number
  /** e.g. pub/fedora/linux */
  topdirName: string
}

export interface StoredDirectory extends StoredEntry {
  id: number
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
  /** The same map, and the stored subdirectories, as the scan compares with them. */
  tree: StoredTree
}

/**
 * Reads the stored directories of a category. One text value comes back, a flat JSON
 * array [id, ctime, readable, path, id, ...] built with string_agg: measured on 55,551
 * directories it is 2–3× faster than as many rows (protocol messages, row objects) or
 * json_agg (a JSON value built per row), and this read is a large part of a routine
 * run's cost. Paths come relative to the top (fewer bytes to build, send and parse);
 * directories linked to the category but outside its tree are not ours to judge and
 * stay out. to_json quotes any name safely.
 *
 * `onRead` gets the text as soon as it has arrived, and the number of directories in it
 * (each one's `index` is its position there): the stat-ahead worker (stat-ahead.ts)
 * starts on it while this thread builds the maps.
 */
export async function loadStoredDirectories(sql: Sql, category: CategoryRow, onRead?: (flat: string, count: number) => void): Promise<StoredCategory> {
  const top = category.topdirName
  const [{ flat }] = await sql<{ flat: string | null }[]>`
    select '[' || string_agg(d.id || ',' || d.ctime || ',' || d.readable::text || ',' ||
      to_json(case when d.name = ${top}::text then '' else substr(d.name, length(${top}::text) + 2) end)::text, ',') || ']' as flat
    from category_directory cd join directory d on d.id = cd.directory_id
    where cd.category_id = ${category.id} and (d.name = ${top}::text or starts_with(d.name, ${`${top}/`}::text))`
  const values = JSON.parse(flat ?? '[]') as (number | boolean | string)[]
  if (flat !== null) onRead?.(flat, values.length / 4)
  const directories = new Map<string, StoredDirectory>()
  for (let i = 0; i < values.length; i += 4) {
    directories.set(values[i + 3] as string, { id: values[i] as number, ctime: values[i + 1] as number, readable: values[i + 2] as boolean, index: i / 4 })
  }
  if (!directories.has('')) {
    // Not linked yet: never trust its ctime (its subdirectories are not known), list it.
    const [topdir] = await sql<{ readable: boolean }[]>`select readable from directory where id = ${category.topdirId}`
    directories.set('', { id: category.topdirId, ctime: -1, readable: topdir.readable })
  }
  return { directories, tree: storedTree(directories) }
}

export async function listCategoryNames(sql: Sql): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`select name from category order by name`
  return rows.map((row) => row.name)
}
