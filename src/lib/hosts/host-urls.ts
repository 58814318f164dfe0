import { getCategory } from '../catalog/categories.js'
import { atomically, uniquely } from '../db/conflicts.js'
import type { Sql } from '../db/sql.js'
import { NotFoundError } from '../errors.js'
import { normalizeMirrorUrl } from '../validate/url.js'
import { findHostCategory } from './host-categories.js'
import { resolveHost } from './host-ref.js'

export interface HostUrl {
  id: number
  host: string
  category: string
  url: string
  private: boolean
}

/**
 * Adds a URL under which a host serves a category. If the host does not carry the
 * category yet, it is added too, in the same transaction.
 */
export async function addHostUrl(
  sql: Sql,
  hostReference: string,
  categoryName: string,
  url: string,
  options: { private?: boolean } = {},
): Promise<HostUrl> {
  const normalized = normalizeMirrorUrl(url)
  return atomically(sql, async (tx) => {
    const host = await resolveHost(tx, hostReference)
    const category = await getCategory(tx, categoryName)
    let hostCategory = await findHostCategory(tx, host, category.name)
    if (!hostCategory) {
      ;[hostCategory] = await tx<{ id: number }[]>`insert into host_category (host_id, category_id)
        values (${host.id}, ${category.id}) returning id`
    }
    const [{ id }] = await uniquely(
      tx<{ id: number }[]>`insert into host_category_url (host_category_id, url, private)
        values (${hostCategory.id}, ${normalized}, ${options.private ?? false}) returning id`,
      `URL ${normalized} is already registered (each URL belongs to one host category)`,
    )
    return { id, host: `${host.site}/${host.name}`, category: category.name, url: normalized, private: options.private ?? false }
  })
}

export async function removeHostUrl(sql: Sql, hostReference: string, url: string): Promise<HostUrl> {
  const normalized = normalizeMirrorUrl(url)
  const host = await resolveHost(sql, hostReference)
  const [removed] = await sql<HostUrl[]>`delete from host_category_url u using host_category hc, category c
    where hc.id = u.host_category_id and c.id = hc.category_id and hc.host_id = ${host.id} and u.url = ${normalized}
    returning u.id, c.name as category, u.url, u.private`
  if (!removed) throw new NotFoundError(`host "${host.site}/${host.name}" has no URL ${normalized}`)
  return { ...removed, host: `${host.site}/${host.name}` }
}
