/**
 * The public mirror list: the public, active mirrors carrying a product (version, arch),
 * with their public URLs, bandwidth, Internet2 and whether they were up to date at the
 * last crawl. A host is listed only when the host and its site are public and enabled
 * (by an admin and by the owner) and it serves the category under a public URL; private
 * URLs and categories outside the filter are never shown (MirrorManager2 showed both).
 * Unknown product/version/arch/country names are ignored, as in MirrorManager2.
 */
import type { Sql } from '../db/sql.js'
import { continentNames, continentOfCountry } from '../geo/countries.js'

export type MirrorSort = 'country' | 'bandwidth'

export interface MirrorListQuery {
  product?: string
  version?: string
  arch?: string
  country?: string
  sort?: MirrorSort
}

export interface MirrorUrl {
  scheme: string
  url: string
}

export interface PublicMirror {
  hostId: number
  site: string
  siteUrl: string | null
  host: string
  country: string
  continent: string
  bandwidth: number
  internet2: boolean
  comment: string | null
  categories: { name: string; urls: MirrorUrl[] }[]
  /** Up to date at the last crawl for what was asked; null: never crawled. */
  upToDate: boolean | null
  lastCrawled: string | null
  latitude: number | null
  longitude: number | null
}

export interface MirrorList {
  /** The filters that named something that exists (others are ignored). */
  filter: { product?: string; version?: string; arch?: string; country?: string }
  sort: MirrorSort
  mirrors: PublicMirror[]
  /** Countries with at least one listed mirror before the country filter, for the chooser. */
  countries: string[]
}

interface Resolved {
  productId?: number
  versionId?: number
  archId?: number
  filter: MirrorList['filter']
}

async function resolveFilter(sql: Sql, query: MirrorListQuery): Promise<Resolved> {
  const resolved: Resolved = { filter: {} }
  if (query.product) {
    const [product] = await sql<{ id: number; name: string }[]>`select id, name from product where name = ${query.product} and publiclist`
    if (product) {
      resolved.productId = product.id
      resolved.filter.product = product.name
      if (query.version) {
        const [version] = await sql<{ id: number; name: string }[]>`
          select id, name from version where product_id = ${product.id} and name = ${query.version}`
        if (version) {
          resolved.versionId = version.id
          resolved.filter.version = version.name
        }
      }
    }
  }
  if (query.arch) {
    const [arch] = await sql<{ id: number; name: string }[]>`select id, name from arch where name = ${query.arch}`
    if (arch) {
      resolved.archId = arch.id
      resolved.filter.arch = arch.name
    }
  }
  return resolved
}

export interface HostCategoryRow {
  hostCategoryId: number
  hostId: number
  site: string
  siteUrl: string | null
  host: string
  country: string
  bandwidth: number
  internet2: boolean
  comment: string | null
  lastCrawled: Date | null
  latitude: number | null
  longitude: number | null
  category: string
  alwaysUp2date: boolean
  /** every checked directory up to date (null: none checked) */
  upToDate: boolean | null
}

async function listedHostCategories(sql: Sql, r: Resolved): Promise<HostCategoryRow[]> {
  const productId = r.productId ?? null
  const versionId = r.versionId ?? null
  const archId = r.archId ?? null
  return sql<HostCategoryRow[]>`
    select hc.id as host_category_id, h.id as host_id, s.name as site, s.org_url as site_url, h.name as host,
           upper(h.country) as country, h.bandwidth_int as bandwidth, h.internet2, h.comment, h.last_crawled,
           h.latitude, h.longitude, c.name as category, hc.always_up2date,
           (select bool_and(d.up2date) from host_category_dir d
             where d.host_category_id = hc.id
               and (${versionId}::int is null or d.directory_id in (
                 select r.directory_id from repository r
                 where r.category_id = c.id and r.version_id = ${versionId}::int and (${archId}::int is null or r.arch_id = ${archId}::int)))
           ) as up_to_date
    from host_category hc
    join host h on h.id = hc.host_id
    join site s on s.id = h.site_id
    join category c on c.id = hc.category_id
    where not h.private and h.admin_active and h.user_active
      and not s.private and s.admin_active and s.user_active
      and not c.admin_only
      and (${productId}::int is null or c.product_id = ${productId}::int)
      and (${versionId}::int is null and ${archId}::int is null or exists (
        select 1 from repository r where r.category_id = c.id
          and (${versionId}::int is null or r.version_id = ${versionId}::int)
          and (${archId}::int is null or r.arch_id = ${archId}::int)))
      and exists (select 1 from host_category_url u where u.host_category_id = hc.id and not u.private)
    order by h.country, h.name, c.name`
}

const SCHEMES = ['http', 'https', 'ftp', 'rsync']

async function publicUrls(sql: Sql, hostCategoryIds: number[]): Promise<Map<number, MirrorUrl[]>> {
  const rows = await sql<{ hostCategoryId: number; url: string }[]>`
    select host_category_id, url from host_category_url
    where host_category_id = any(${hostCategoryIds}::int[]) and not private order by url`
  const byId = new Map<number, MirrorUrl[]>()
  for (const row of rows) {
    const scheme = row.url.slice(0, Math.max(0, row.url.indexOf(':'))).toLowerCase()
    if (!SCHEMES.includes(scheme)) continue
    const list = byId.get(row.hostCategoryId) ?? []
    list.push({ scheme, url: row.url })
    byId.set(row.hostCategoryId, list)
  }
  for (const list of byId.values()) list.sort((a, b) => SCHEMES.indexOf(a.scheme) - SCHEMES.indexOf(b.scheme) || a.url.localeCompare(b.url))
  return byId
}

/** Host-category rows → one mirror per host (pure; exported for the unit tests). */
export function groupMirrors(rows: readonly HostCategoryRow[], urls: ReadonlyMap<number, MirrorUrl[]>): PublicMirror[] {
  const byHost = new Map<number, PublicMirror>()
  for (const row of rows) {
    const categoryUrls = urls.get(row.hostCategoryId)
    if (!categoryUrls?.length) continue
    let mirror = byHost.get(row.hostId)
    if (!mirror) {
      mirror = {
        hostId: row.hostId,
        site: row.site,
        siteUrl: row.siteUrl,
        host: row.host,
        country: row.country,
        continent: continentOfCountry(row.country) ?? '',
        bandwidth: row.bandwidth,
        internet2: row.internet2,
        comment: row.comment,
        categories: [],
        upToDate: null,
        lastCrawled: row.lastCrawled ? row.lastCrawled.toISOString() : null,
        latitude: row.latitude,
        longitude: row.longitude,
      }
      byHost.set(row.hostId, mirror)
    }
    mirror.categories.push({ name: row.category, urls: categoryUrls })
    const state = row.alwaysUp2date ? true : row.upToDate
    if (state !== null) mirror.upToDate = mirror.upToDate === null ? state : mirror.upToDate && state
  }
  return [...byHost.values()]
}

export function sortMirrors(mirrors: PublicMirror[], sort: MirrorSort): PublicMirror[] {
  const byCountry = (a: PublicMirror, b: PublicMirror) => a.country.localeCompare(b.country) || a.host.localeCompare(b.host)
  return mirrors.sort(sort === 'bandwidth' ? (a, b) => b.bandwidth - a.bandwidth || byCountry(a, b) : byCountry)
}

export async function publicMirrorList(sql: Sql, query: MirrorListQuery = {}): Promise<MirrorList> {
  const resolved = await resolveFilter(sql, query)
  const rows = await listedHostCategories(sql, resolved)
  const all = groupMirrors(rows, await publicUrls(sql, rows.map((r) => r.hostCategoryId)))
  const countries = [...new Set(all.map((m) => m.country))].sort()
  const country = query.country?.toUpperCase()
  const filter = { ...resolved.filter }
  let mirrors = all
  if (country && countries.includes(country)) {
    filter.country = country
    mirrors = all.filter((m) => m.country === country)
  }
  const sort = query.sort === 'bandwidth' ? 'bandwidth' : 'country'
  return { filter, sort, mirrors: sortMirrors(mirrors, sort), countries }
}

export interface ContinentGroup {
  continent: string
  name: string
  countries: { country: string; mirrors: PublicMirror[] }[]
}

/** Mirrors grouped by continent, then country (both alphabetical), keeping the order within a country. */
export function groupByContinent(mirrors: readonly PublicMirror[]): ContinentGroup[] {
  const continents = new Map<string, Map<string, PublicMirror[]>>()
  for (const mirror of mirrors) {
    const countries = continents.get(mirror.continent) ?? new Map<string, PublicMirror[]>()
    continents.set(mirror.continent, countries)
    countries.set(mirror.country, [...(countries.get(mirror.country) ?? []), mirror])
  }
  return [...continents]
    .sort(([a], [b]) => (continentNames.get(a as never) ?? 'zz').localeCompare(continentNames.get(b as never) ?? 'zz'))
    .map(([continent, countries]) => ({
      continent,
      name: continentNames.get(continent as never) ?? 'Elsewhere',
      countries: [...countries].sort(([a], [b]) => a.localeCompare(b)).map(([country, list]) => ({ country, mirrors: list })),
    }))
}
