/**
 * Where hosts are on the map. `host locate` places every public, enabled host from a
 * GeoIP City database: the addresses of its public URLs' host names are looked up and
 * the most frequent location wins (MirrorManager2's generate_worldmap). A host whose
 * names do not resolve or are not in the database is skipped and reported (its previous
 * coordinates stay); a host in an embargoed country is not placed and its coordinates are
 * cleared (MirrorManager2 left stale ones). Coordinates an admin set by hand
 * (`host coordinates`) are never overwritten.
 */
import { lookup } from 'node:dns/promises'
import { readFile } from 'node:fs/promises'
import { Reader } from 'maxmind'
import { inTransaction, type Sql } from '../db/sql.js'
import { ConfigError, ValidationError } from '../errors.js'
import { resolveHost } from '../hosts/host-ref.js'
import { embargoedCountries } from '../stats/ingest.js'
import { unmapIpv4 } from './geoip.js'

export interface CityLocation {
  country?: string
  latitude: number
  longitude: number
}

interface CityRecord {
  country?: { iso_code?: unknown }
  location?: { latitude?: unknown; longitude?: unknown }
}

export type CityLookup = (ip: string) => CityLocation | { country?: string } | undefined

export async function openCityDatabase(file: string): Promise<CityLookup> {
  let reader: Reader<never>
  try {
    reader = new Reader(await readFile(file))
  } catch (error) {
    throw new ConfigError(`GeoIP City database ${file}: ${(error as Error).message}`, { key: 'city-db', cause: error })
  }
  return (ip) => {
    let record: CityRecord | null
    try {
      record = reader.get(unmapIpv4(ip)) as CityRecord | null // untyped input: read through our narrow shape
    } catch {
      return undefined
    }
    if (!record) return undefined
    const country = typeof record.country?.iso_code === 'string' ? record.country.iso_code.toUpperCase() : undefined
    const { latitude, longitude } = record.location ?? {}
    if (typeof latitude !== 'number' || typeof longitude !== 'number') return { country }
    return { country, latitude, longitude }
  }
}

export type Resolve = (name: string) => Promise<string[]>

export const resolveAll: Resolve = async (name) => (await lookup(name, { all: true })).map((a) => a.address)

export interface LocateResult {
  placed: { host: string; latitude: number; longitude: number; country?: string }[]
  skipped: { host: string; reason: string }[]
  /** Hosts whose coordinates an admin set; left alone. */
  manual: string[]
}

interface CandidateHost {
  id: number
  site: string
  name: string
  manual: boolean
  urls: string[]
}

/** The most frequent location among an address list's lookups (pure). */
export function mostFrequentLocation(locations: readonly CityLocation[]): CityLocation | undefined {
  const counts = new Map<string, { location: CityLocation; n: number }>()
  for (const location of locations) {
    const key = `${location.latitude},${location.longitude}`
    const entry = counts.get(key) ?? { location, n: 0 }
    entry.n++
    counts.set(key, entry)
  }
  let best: { location: CityLocation; n: number } | undefined
  for (const entry of counts.values()) if (!best || entry.n > best.n) best = entry
  return best?.location
}

function urlHostName(url: string): string | undefined {
  try {
    const name = new URL(url).hostname
    return name.startsWith('[') ? name.slice(1, -1) : name
  } catch {
    return undefined
  }
}

export async function locateHosts(sql: Sql, city: CityLookup, resolve: Resolve = resolveAll): Promise<LocateResult> {
  const hosts = await sql<CandidateHost[]>`
    select h.id, s.name as site, h.name, h.coordinates_manual as manual,
           coalesce(array_agg(u.url order by u.id) filter (where u.url is not null), '{}') as urls
    from host h join site s on s.id = h.site_id
    left join host_category hc on hc.host_id = h.id
    left join host_category_url u on u.host_category_id = hc.id and not u.private
    where not h.private and h.admin_active and h.user_active and not s.private and s.admin_active and s.user_active
    group by h.id, s.name order by s.name, h.name`
  const embargoed = await embargoedCountries(sql)
  const result: LocateResult = { placed: [], skipped: [], manual: [] }
  const updates: { id: number; latitude: number | null; longitude: number | null }[] = []
  for (const host of hosts) {
    const label = `${host.site}/${host.name}`
    if (host.manual) {
      result.manual.push(label)
      continue
    }
    const names = new Set([host.name, ...host.urls.map(urlHostName).filter((n): n is string => !!n)])
    const locations: CityLocation[] = []
    let embargoedCountry: string | undefined
    for (const name of names) {
      const addresses = await resolve(name).catch(() => [] as string[])
      for (const address of addresses) {
        const found = city(address)
        if (found?.country && embargoed.has(found.country)) embargoedCountry = found.country
        else if (found && 'latitude' in found) locations.push(found)
      }
    }
    if (embargoedCountry) {
      result.skipped.push({ host: label, reason: `in an embargoed country (${embargoedCountry}): not placed` })
      updates.push({ id: host.id, latitude: null, longitude: null })
      continue
    }
    const best = mostFrequentLocation(locations)
    if (!best) {
      result.skipped.push({ host: label, reason: `no address of ${[...names].join(', ')} has a location in the City database` })
      continue
    }
    result.placed.push({ host: label, latitude: best.latitude, longitude: best.longitude, country: best.country })
    updates.push({ id: host.id, latitude: best.latitude, longitude: best.longitude })
  }
  await inTransaction(sql, async (tx) => {
    for (const u of updates) await tx`update host set latitude = ${u.latitude}, longitude = ${u.longitude} where id = ${u.id} and not coordinates_manual`
  })
  return result
}

export interface CoordinatesChange {
  /** Both, or `auto` to hand the host back to `host locate` (its coordinates are cleared). */
  latitude?: number
  longitude?: number
  auto?: boolean
}

export async function setHostCoordinates(
  sql: Sql,
  reference: string,
  change: CoordinatesChange,
): Promise<{ host: string; latitude: number | null; longitude: number | null; manual: boolean }> {
  const host = await resolveHost(sql, reference)
  let latitude: number | null = null
  let longitude: number | null = null
  if (!change.auto) {
    if (change.latitude === undefined || change.longitude === undefined) throw new ValidationError('give both --latitude and --longitude, or --auto', { field: 'latitude' })
    if (!Number.isFinite(change.latitude) || Math.abs(change.latitude) > 90) throw new ValidationError('latitude must be between -90 and 90', { field: 'latitude' })
    if (!Number.isFinite(change.longitude) || Math.abs(change.longitude) > 180) throw new ValidationError('longitude must be between -180 and 180', { field: 'longitude' })
    latitude = change.latitude
    longitude = change.longitude
  }
  await sql`update host set latitude = ${latitude}, longitude = ${longitude}, coordinates_manual = ${!change.auto} where id = ${host.id}`
  return { host: `${host.site}/${host.name}`, latitude, longitude, manual: !change.auto }
}
