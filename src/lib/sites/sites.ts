import { atomically, definedChanges, uniquely } from '../db/conflicts.js'
import type { Sql } from '../db/sql.js'
import { ConflictError, NotFoundError } from '../errors.js'
import { requireName } from '../validate/name.js'
import { normalizeWebUrl } from '../validate/url.js'
import { referenceId } from '../validate/reference.js'
import { LIMITS, optionalText } from '../validate/text.js'

/** A site as shown to admins: never the password hash, only whether one is set. */
export interface Site {
  id: number
  name: string
  orgUrl: string | null
  private: boolean
  adminActive: boolean
  userActive: boolean
  createdAt: Date
  createdBy: string | null
  allSitesCanPullFromMe: boolean
  downstreamComments: string | null
  emailOnDrop: boolean
  emailOnAdd: boolean
  hasPassword: boolean
  hosts: number
  admins: string[]
}

export interface SiteFields {
  orgUrl?: string
  private?: boolean
  adminActive?: boolean
  userActive?: boolean
  createdBy?: string
  allSitesCanPullFromMe?: boolean
  downstreamComments?: string
  emailOnDrop?: boolean
  emailOnAdd?: boolean
}

export interface SiteChanges extends SiteFields {
  name?: string
}

function selectSites(sql: Sql) {
  return sql`select s.id, s.name, s.org_url, s.private, s.admin_active, s.user_active, s.created_at, s.created_by,
      s.all_sites_can_pull_from_me, s.downstream_comments, s.email_on_drop, s.email_on_add,
      s.password_hash is not null as has_password,
      (select count(*)::int from host h where h.site_id = s.id) as hosts,
      array(select username from site_admin a where a.site_id = s.id order by username) as admins
    from site s`
}

function siteColumns(fields: SiteChanges) {
  return definedChanges({
    ...fields,
    name: fields.name === undefined ? undefined : requireName(fields.name, 'site name'),
    orgUrl: fields.orgUrl === undefined ? undefined : normalizeWebUrl(fields.orgUrl, 'org-url'),
    createdBy: optionalText(fields.createdBy, 'created-by'),
    downstreamComments: optionalText(fields.downstreamComments, 'downstream-comments', LIMITS.longText),
  })
}

export async function addSite(sql: Sql, name: string, fields: SiteFields = {}): Promise<Site> {
  const columns = siteColumns({ ...fields, name })
  await uniquely(sql`insert into site ${sql(columns)}`, `site "${columns.name}" already exists`)
  return getSite(sql, columns.name!)
}

export async function listSites(sql: Sql): Promise<Site[]> {
  return sql<Site[]>`${selectSites(sql)} order by s.name`
}

export async function getSite(sql: Sql, name: string): Promise<Site> {
  const [site] = await sql<Site[]>`${selectSites(sql)} where s.name = ${name} or s.id = ${referenceId(name)} order by s.name = ${name} desc limit 1`
  if (!site) throw new NotFoundError(`no site named "${name}" (see \`mirrormanager site list\`)`)
  return site
}

export async function updateSite(sql: Sql, name: string, changes: SiteChanges): Promise<Site> {
  const set = siteColumns(changes)
  const site = await getSite(sql, name)
  if (Object.keys(set).length === 0) return site
  await uniquely(sql`update site set ${sql(set)} where id = ${site.id}`, `site "${set.name}" already exists`)
  return getSite(sql, set.name ?? name)
}

/**
 * Removes a site with its admins and hosts (and everything of those hosts). A site with
 * hosts is only removed with `force`; the message says how many would go.
 */
export async function removeSite(sql: Sql, name: string, options: { force?: boolean } = {}): Promise<Site> {
  return atomically(sql, async (tx) => {
    const site = await getSite(tx, name)
    if (site.hosts > 0 && !options.force) {
      throw new ConflictError(
        `site "${name}" has ${site.hosts} host${site.hosts === 1 ? '' : 's'}; removing the site removes ${site.hosts === 1 ? 'it' : 'them'} too. Pass --force to do so`,
      )
    }
    await tx`delete from site where id = ${site.id}`
    return site
  })
}
