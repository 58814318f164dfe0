/**
 * Reading a category's stored state, before the (slow) scan and outside any transaction.
 */
import { NotFoundError, ValidationError } from '../errors.js'
import type { Sql } from '../db/sql.js'

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

/** Every directory of the category under its top, by path relative to the top ("" = the top). */
export async function loadStoredDirectories(sql: Sql, category: CategoryRow): Promise<Map<string, StoredDirectory>> {
  const top = category.topdirName
  const rows = await sql<{ id: number; name: string; ctime: number; readable: boolean }[]>`
    select d.id, d.name, d.ctime, d.readable
    from category_directory cd join directory d on d.id = cd.directory_id
    where cd.category_id = ${category.id}`
  const stored = new Map<string, StoredDirectory>()
  for (const row of rows) {
    let path: string
    if (row.name === top) path = ''
    else if (row.name.startsWith(`${top}/`)) path = row.name.slice(top.length + 1)
    else continue // linked to the category but outside its tree: not ours to judge
    stored.set(path, { id: row.id, ctime: row.ctime, readable: row.readable })
  }
  if (!stored.has('')) {
    // Not linked yet: never trust its ctime (its subdirectories are not known), list it.
    const [topdir] = await sql<{ readable: boolean }[]>`select readable from directory where id = ${category.topdirId}`
    stored.set('', { id: category.topdirId, ctime: -1, readable: topdir.readable })
  }
  return stored
}

export async function listCategoryNames(sql: Sql): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`select name from category order by name`
  return rows.map((row) => row.name)
}
