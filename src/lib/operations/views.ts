/**
 * What the site and host pages show, for one actor: the permission check first, then the
 * rows. Read-only; the pages render these as they are.
 */
import { listAudit, type AuditRecord } from '../audit/audit.js'
import { listCategories, type Category } from '../catalog/categories.js'
import { readCrawlLog, type CrawlLogEntry } from '../crawl/crawl-log.js'
import type { Sql } from '../db/sql.js'
import { getHostById, listHosts, type Host } from '../hosts/hosts.js'
import { can, type Actor } from '../permissions/can.js'
import { authorize, hostOwnership, siteOwnership } from '../permissions/ownership.js'
import { getSite, listSites, type Site } from '../sites/sites.js'

/** The sites a user administers or created (all of them for /admin/all_sites, admins only). */
export async function sitesOf(sql: Sql, actor: Actor, options: { all?: boolean } = {}): Promise<Site[]> {
  if (options.all) {
    authorize(actor, 'site.list-all')
    return listSites(sql)
  }
  const ids = await sql<{ id: number }[]>`select s.id from site s where s.created_by = ${actor.username}
    or exists (select 1 from site_admin a where a.site_id = s.id and a.username = ${actor.username})`
  const mine = new Set(ids.map((row) => row.id))
  return (await listSites(sql)).filter((site) => mine.has(site.id))
}

export interface SitePage {
  site: Site
  hosts: Host[]
  audit: AuditRecord[]
}

export async function sitePage(sql: Sql, actor: Actor, siteId: number): Promise<SitePage> {
  const owner = await siteOwnership(sql, siteId)
  authorize(actor, 'site.view', owner)
  const site = await getSite(sql, owner.siteName)
  return { site, hosts: await listHosts(sql, { site: site.name }), audit: await listAudit(sql, { siteId, limit: 50 }) }
}

export interface HostCategoryView {
  id: number
  category: string
  alwaysUp2date: boolean
  adminOnly: boolean
  urls: { url: string; private: boolean }[]
  /** Directories of the category on this host, and how many were up to date at the last crawl. */
  directories: number
  upToDate: number
  lastChecked: Date | null
}

export interface HostPage {
  host: Host
  siteId: number
  categories: HostCategoryView[]
  /** Categories this actor may still add. */
  addableCategories: Category[]
  netblocks: { value: string; name: string | null }[]
  peerAsns: { value: number; name: string | null }[]
  countriesAllowed: string[]
  aclIps: string[]
  lastCrawl: CrawlLogEntry | undefined
  audit: AuditRecord[]
}

export async function hostPage(sql: Sql, actor: Actor, hostId: number): Promise<HostPage> {
  const owner = await hostOwnership(sql, hostId)
  authorize(actor, 'host.view', owner)
  // the page's nine reads are independent: on a PostgreSQL server they run at once on
  // the pool's connections (one round trip of latency instead of nine); the embedded
  // database's one connection takes them in turn
  const [categories, allCategories, [lastCrawl], host, netblocks, peerAsns, countriesAllowed, aclIps, audit] = await Promise.all([
    // the URLs come as JSON text and go through JSON.parse: as a json column postgres.js's
    // camel transform would walk every URL object key by key (~2 ms of a 200-URL page)
    sql<(Omit<HostCategoryView, 'urls'> & { urlsJson: string })[]>`select hc.id, c.name as category, hc.always_up2date, c.admin_only,
      coalesce((select json_agg(json_build_object('url', u.url, 'private', u.private) order by u.url)
        from host_category_url u where u.host_category_id = hc.id)::text, '[]') as urls_json,
      (select count(*)::int from host_category_dir d where d.host_category_id = hc.id) as directories,
      (select count(*)::int from host_category_dir d where d.host_category_id = hc.id and d.up2date) as up_to_date,
      (select max(d.last_checked) from host_category_dir d where d.host_category_id = hc.id) as last_checked
    from host_category hc join category c on c.id = hc.category_id where hc.host_id = ${hostId} order by c.name`,
    listCategories(sql),
    readCrawlLog(sql, hostId, 1),
    getHostById(sql, hostId),
    sql<{ value: string; name: string | null }[]>`select netblock as value, name from host_netblock where host_id = ${hostId} order by netblock`,
    sql<{ value: number; name: string | null }[]>`select asn as value, name from host_peer_asn where host_id = ${hostId} order by asn`,
    sql<{ country: string }[]>`select country from host_country_allowed where host_id = ${hostId} order by country`,
    sql<{ ip: string }[]>`select ip from host_acl_ip where host_id = ${hostId} order by ip`,
    listAudit(sql, { hostId, limit: 50 }),
  ])
  const carried = new Set(categories.map((c) => c.category))
  return {
    host,
    siteId: owner.siteId,
    categories: categories.map(({ urlsJson, ...c }) => ({ ...c, urls: JSON.parse(urlsJson) as HostCategoryView['urls'] })),
    addableCategories: allCategories.filter((c) => !carried.has(c.name) && (!c.adminOnly || can(actor, 'category.admin-only'))),
    netblocks,
    peerAsns,
    countriesAllowed: countriesAllowed.map((r) => r.country),
    aclIps: aclIps.map((r) => r.ip),
    lastCrawl,
    audit,
  }
}

/** The crawl log of a host as plain text, newest run first (/crawler/<id>.log). */
export async function crawlLogText(sql: Sql, actor: Actor, hostId: number): Promise<string> {
  authorize(actor, 'crawl-log.view', await hostOwnership(sql, hostId))
  const entries = await readCrawlLog(sql, hostId, 20)
  if (entries.length === 0) return 'This host has not been crawled yet.\n'
  return entries.map((e) => `${e.started.toISOString()} ${e.mode} ${e.result} (${Math.round((e.finished.getTime() - e.started.getTime()) / 1000)} s)\n${e.summary}\n`).join('\n')
}
