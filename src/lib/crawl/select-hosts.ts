/**
 * Which hosts a crawl run visits, and in what order: public, active hosts (unless told
 * otherwise), filtered by id range, fraction, category, continent and name; the
 * slowest hosts (by last crawl duration; never crawled counts as slowest) first, so a
 * long run is not held up by one slow mirror started last.
 */
import { continentOfCountry, isContinentCode } from '../geo/countries.js'
import type { Sql } from '../db/sql.js'
import { UsageError } from '../errors.js'
import type { CrawlHost } from './types.js'

export interface HostSelection {
  startId?: number
  /** Exclusive. */
  stopId?: number
  /** [K, N]: this is machine K of N (1-based); a host goes to machine (id mod N) + 1. */
  fraction?: [number, number]
  categories?: string[]
  /** Continent codes; `^EU` excludes. */
  continents?: string[]
  /** Host names or ids. */
  hosts?: string[]
  /** Only these host ids (a crawl worker loading the one host it leased). */
  hostIds?: number[]
  includePrivate?: boolean
  includeDisabled?: boolean
}

export function parseFraction(text: string): [number, number] {
  const match = /^(\d+):(\d+)$/.exec(text.trim())
  const k = match ? Number(match[1]) : NaN
  const n = match ? Number(match[2]) : NaN
  if (!match || n < 1 || k < 1 || k > n) throw new UsageError(`--fraction must be K:N with 1 <= K <= N, e.g. 1:2 (got "${text}")`)
  return [k, n]
}

/** True when the host belongs to machine K of N. Every host belongs to exactly one. */
export function inFraction(hostId: number, [k, n]: [number, number]): boolean {
  return hostId % n === k - 1
}

export function continentFilter(codes: string[]): (country: string) => boolean {
  const include = new Set<string>()
  const exclude = new Set<string>()
  for (const raw of codes) {
    const negated = raw.startsWith('^')
    const code = (negated ? raw.slice(1) : raw).toUpperCase()
    if (!isContinentCode(code)) throw new UsageError(`--continent: unknown continent code "${raw}" (AF, AN, AS, EU, NA, OC, SA; ^EU excludes)`)
    ;(negated ? exclude : include).add(code)
  }
  return (country) => {
    const continent = continentOfCountry(country.trim().toUpperCase())
    if (continent === undefined) return include.size === 0
    if (exclude.has(continent)) return false
    return include.size === 0 || include.has(continent)
  }
}

type HostRow = Omit<CrawlHost, 'categories'>

interface UrlRow {
  hostId: number
  hostCategoryId: number
  categoryId: number
  categoryName: string
  url: string | null
  private: boolean | null
}

export async function selectHosts(sql: Sql, selection: HostSelection): Promise<CrawlHost[]> {
  const names = selection.hosts ?? []
  const ids = names.filter((name) => /^\d+$/.test(name)).map(Number)
  const only = selection.hostIds ?? []
  const rows = await sql<HostRow[]>`
    select h.id, h.name, h.country, h.max_connections, h.last_crawl_duration, h.crawl_failures
    from host h join site s on s.id = h.site_id
    where (${selection.includeDisabled ?? false} or (h.admin_active and h.user_active and s.admin_active and s.user_active))
      and (${selection.includePrivate ?? false} or (not h.private and not s.private))
      and h.id >= ${selection.startId ?? 0} and h.id < ${selection.stopId ?? 2147483647}
      and (${names.length === 0} or h.name = any(${names}::text[]) or h.id = any(${ids}::int[]))
      and (${only.length === 0} or h.id = any(${only}::int[]))
    order by h.last_crawl_duration desc nulls first, h.id`
  const continent = selection.continents?.length ? continentFilter(selection.continents) : () => true
  const chosen = rows.filter((row) => continent(row.country) && (!selection.fraction || inFraction(row.id, selection.fraction)))
  if (chosen.length === 0) return []
  const categories = selection.categories ?? []
  const urls = await sql<UrlRow[]>`
    select hc.host_id, hc.id as host_category_id, c.id as category_id, c.name as category_name, u.url, u.private
    from host_category hc
    join category c on c.id = hc.category_id
    left join host_category_url u on u.host_category_id = hc.id
    where hc.host_id = any(${chosen.map((row) => row.id)}::int[])
      and (${categories.length === 0} or c.name = any(${categories}::text[]))
    order by hc.id, u.id`
  const byHost = new Map<number, CrawlHost>(chosen.map((row) => [row.id, { ...row, categories: [] }]))
  for (const row of urls) {
    const host = byHost.get(row.hostId)!
    let target = host.categories.at(-1)
    if (target?.hostCategoryId !== row.hostCategoryId) {
      target = { hostCategoryId: row.hostCategoryId, categoryId: row.categoryId, categoryName: row.categoryName, urls: [] }
      host.categories.push(target)
    }
    if (row.url && (!row.private || selection.includePrivate)) target.urls.push(row.url)
  }
  return [...byHost.values()].filter((host) => host.categories.length > 0)
}
