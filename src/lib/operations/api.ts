/**
 * MirrorManager2's public JSON API, same shapes (/api/mirroradmins, /api/repositories).
 */
import type { Sql } from '../db/sql.js'
import { NotFoundError } from '../errors.js'

/** Every site admin's name, or those of one host's (by name) or site's, with its creator. */
export async function mirrorAdmins(sql: Sql, name?: string): Promise<{ admins: string[]; total: number }> {
  let admins: string[]
  if (!name) {
    admins = (await sql<{ username: string }[]>`select distinct username from site_admin order by username`).map((r) => r.username)
  } else {
    const [site] = await sql<{ id: number; createdBy: string | null }[]>`
      (select s.id, s.created_by, 0 as rank from host h join site s on s.id = h.site_id where h.name = ${name})
      union all (select s.id, s.created_by, 1 as rank from site s where s.name = ${name})
      order by rank limit 1`
    if (!site) throw new NotFoundError(`No host or site found for ${name}`)
    const names = (await sql<{ username: string }[]>`select username from site_admin where site_id = ${site.id} order by username`).map((r) => r.username)
    admins = [...new Set([...(site.createdBy ? [site.createdBy] : []), ...names])]
  }
  return { admins, total: admins.length }
}

/** Repositories with a prefix and an arch, as `{prefix: {name, directory}}`. */
export async function repositoryList(sql: Sql): Promise<{ repositories: Record<string, { name: string; directory: string }>[]; total: number }> {
  const rows = await sql<{ prefix: string; name: string; directory: string }[]>`select r.prefix, r.name, d.name as directory
    from repository r join directory d on d.id = r.directory_id
    where r.prefix is not null and r.arch_id is not null order by r.prefix, r.id`
  return { repositories: rows.map((r) => ({ [r.prefix]: { name: r.name, directory: r.directory } })), total: rows.length }
}
