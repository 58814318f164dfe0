import { uniquely } from '../db/conflicts.js'
import type { Sql } from '../db/sql.js'
import { NotFoundError } from '../errors.js'
import { requireName } from '../validate/name.js'
import { getSite } from './sites.js'

export interface SiteAdmin {
  site: string
  username: string
}

/** Lets an account administer a site (in the mirror-admin interface). */
export async function addSiteAdmin(sql: Sql, siteName: string, username: string): Promise<SiteAdmin> {
  const site = await getSite(sql, siteName)
  const user = requireName(username, 'username')
  await uniquely(
    sql`insert into site_admin (site_id, username) values (${site.id}, ${user})`,
    `"${user}" is already an admin of site "${site.name}"`,
  )
  return { site: site.name, username: user }
}

export async function removeSiteAdmin(sql: Sql, siteName: string, username: string): Promise<SiteAdmin> {
  const site = await getSite(sql, siteName)
  const removed = await sql`delete from site_admin where site_id = ${site.id} and username = ${username} returning id`
  if (removed.length === 0) throw new NotFoundError(`"${username}" is not an admin of site "${site.name}"`)
  return { site: site.name, username }
}
