import { getCategory } from '../catalog/categories.js'
import { atomically, uniquely } from '../db/conflicts.js'
import type { Sql } from '../db/sql.js'
import { NotFoundError } from '../errors.js'
import { resolveHost, type HostRef } from './host-ref.js'

export interface HostCategory {
  id: number
  host: string
  category: string
  alwaysUp2date: boolean
}

/** Declares that a host carries a category. */
export async function addHostCategory(
  sql: Sql,
  hostReference: string,
  categoryName: string,
  options: { alwaysUp2date?: boolean } = {},
): Promise<HostCategory> {
  return atomically(sql, async (tx) => {
    const host = await resolveHost(tx, hostReference)
    const category = await getCategory(tx, categoryName)
    const [{ id }] = await uniquely(
      tx<{ id: number }[]>`insert into host_category (host_id, category_id, always_up2date)
        values (${host.id}, ${category.id}, ${options.alwaysUp2date ?? false}) returning id`,
      `host "${host.site}/${host.name}" already carries category "${category.name}"`,
    )
    return { id, host: `${host.site}/${host.name}`, category: category.name, alwaysUp2date: options.alwaysUp2date ?? false }
  })
}

/** The host_category row of a host and category, or undefined. */
export async function findHostCategory(sql: Sql, host: HostRef, categoryName: string): Promise<{ id: number } | undefined> {
  const [row] = await sql<{ id: number }[]>`select hc.id from host_category hc join category c on c.id = hc.category_id
    where hc.host_id = ${host.id} and c.name = ${categoryName}`
  return row
}

/** Stops a host carrying a category; its URLs and directory states go with it. */
export async function removeHostCategory(sql: Sql, hostReference: string, categoryName: string): Promise<HostCategory> {
  return atomically(sql, async (tx) => {
    const host = await resolveHost(tx, hostReference)
    const [removed] = await tx<{ id: number; alwaysUp2date: boolean }[]>`delete from host_category hc using category c
      where c.id = hc.category_id and hc.host_id = ${host.id} and c.name = ${categoryName}
      returning hc.id, hc.always_up2date`
    if (!removed) throw new NotFoundError(`host "${host.site}/${host.name}" does not carry category "${categoryName}"`)
    return { id: removed.id, host: `${host.site}/${host.name}`, category: categoryName, alwaysUp2date: removed.alwaysUp2date }
  })
}
