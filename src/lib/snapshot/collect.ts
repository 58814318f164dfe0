/**
 * Reads what the mirrorlist server needs from the database, as a stream of snapshot
 * entries (schema.ts). The small tables (hosts, URLs, netblocks, categories) are read
 * whole, and so are the file details (a few per repository); directories with their
 * carrying hosts are read through one cursor, one query at a time (the embedded database
 * has one connection), so memory stays flat however large host_category_dir grows.
 *
 * "Carries" (MirrorManager2's rule): the host and its site are admin- and user-active, the host has a
 * non-private URL in the directory's category, and the host category is always up to
 * date or the crawler/check-in marked the directory up to date.
 */
import type { Sql } from '../db/sql.js'
import { parseCidr, formatCidr } from '../netblocks/cidr.js'
import { SNAPSHOT_FORMAT_VERSION, encodeHostIds, type CategoryEntry, type FileDetailEntry, type HostEntry, type SnapshotEntry } from './schema.js'
import type { SnapshotStats } from './write.js'

export interface CollectOptions {
  /** resolves a DNS-name netblock to addresses; undefined result or a throw = skipped with a warning */
  resolveName: (name: string) => Promise<string[]>
  warn: (message: string) => void
  /** directories per cursor batch (default 1000) */
  batchSize?: number
}

export interface CollectedSnapshot {
  createdAt: number
  stats: SnapshotStats
  entries: AsyncGenerator<SnapshotEntry>
}

interface CategoryData {
  entry: CategoryEntry
  /** hosts with a non-private URL in the category */
  withUrls: Set<number>
  /** of those, hosts whose category is always up to date */
  alwaysUpToDate: number[]
}

const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i

async function hostNetblocks(sql: Sql, active: Map<number, HostEntry>, options: CollectOptions): Promise<void> {
  const rows = await sql<{ hostId: number; netblock: string }[]>`
    select host_id, netblock from host_netblock order by host_id, id`
  for (const { hostId, netblock } of rows) {
    const host = active.get(hostId)
    if (!host) continue
    const text = netblock.trim()
    const cidr = parseCidr(text)
    if (cidr) {
      host.netblocks.push(formatCidr(cidr))
      continue
    }
    if (!DNS_NAME.test(text)) {
      options.warn(`host ${host.name} (${hostId}): netblock ${JSON.stringify(netblock)} is neither a CIDR block nor a DNS name; skipped`)
      continue
    }
    try {
      const addresses = await options.resolveName(text)
      if (addresses.length === 0) throw new Error('no addresses')
      for (const address of addresses) {
        const resolved = parseCidr(address)
        if (resolved) host.netblocks.push(formatCidr(resolved))
      }
    } catch (error) {
      options.warn(`host ${host.name} (${hostId}): cannot resolve netblock ${text}: ${(error as Error).message}; skipped`)
    }
  }
}

async function activeHosts(sql: Sql, options: CollectOptions): Promise<Map<number, HostEntry>> {
  const rows = await sql<{ id: number; name: string; country: string; bandwidthInt: number; private: boolean; asn: number | null; asnClients: boolean }[]>`
    select h.id, h.name, upper(h.country) as country, h.bandwidth_int, (h.private or s.private) as private, h.asn, h.asn_clients
    from host h join site s on s.id = h.site_id
    where h.admin_active and h.user_active and s.admin_active and s.user_active
    order by h.id`
  const hosts = new Map<number, HostEntry>()
  for (const row of rows) {
    hosts.set(row.id, {
      id: row.id,
      name: row.name,
      country: row.country.trim(),
      bandwidth: row.bandwidthInt,
      private: row.private,
      countriesAllowed: [],
      netblocks: [],
      asn: row.asn,
      peerAsns: [],
      asnClients: row.asnClients,
      reachability: {},
    })
  }
  for (const row of await sql<{ hostId: number; country: string }[]>`
    select host_id, upper(country) as country from host_country_allowed order by host_id, country`) {
    hosts.get(row.hostId)?.countriesAllowed.push(row.country.trim())
  }
  for (const row of await sql<{ hostId: number; asn: number }[]>`select host_id, asn from host_peer_asn order by host_id, asn`) {
    hosts.get(row.hostId)?.peerAsns.push(row.asn)
  }
  // per (family, scheme): the crawler's last TCP connect over IPv4 / IPv6
  for (const row of await sql<{ hostId: number; family: number; protocol: string; reachable: boolean }[]>`
    select host_id, family, protocol, reachable from host_reachability order by host_id, protocol, family`) {
    const host = hosts.get(row.hostId)
    if (!host) continue
    const reach = (host.reachability[row.protocol.toLowerCase()] ??= { ipv4: null, ipv6: null })
    if (row.family === 4) reach.ipv4 = row.reachable
    else reach.ipv6 = row.reachable
  }
  await hostNetblocks(sql, hosts, options)
  return hosts
}

async function categories(sql: Sql, hosts: Map<number, HostEntry>): Promise<Map<number, CategoryData>> {
  const result = new Map<number, CategoryData>()
  for (const row of await sql<{ id: number; name: string; topdir: string }[]>`
    select c.id, c.name, coalesce(d.name, '') as topdir from category c left join directory d on d.id = c.topdir_id order by c.id`) {
    result.set(row.id, { entry: { id: row.id, name: row.name, topdir: row.topdir, hostUrls: [] }, withUrls: new Set(), alwaysUpToDate: [] })
  }
  const urls = await sql<{ categoryId: number; hostId: number; url: string }[]>`
    select hc.category_id, hc.host_id, u.url
    from host_category_url u join host_category hc on hc.id = u.host_category_id
    where not u.private
    order by hc.category_id, hc.host_id, u.id`
  for (const row of urls) {
    const category = result.get(row.categoryId)
    if (!category || !hosts.has(row.hostId)) continue
    const last = category.entry.hostUrls[category.entry.hostUrls.length - 1]
    const url = row.url.replace(/\/+$/, '')
    if (last?.hostId === row.hostId) last.urls.push(url)
    else category.entry.hostUrls.push({ hostId: row.hostId, urls: [url] })
    category.withUrls.add(row.hostId)
  }
  for (const row of await sql<{ categoryId: number; hostId: number }[]>`
    select category_id, host_id from host_category where always_up2date order by host_id`) {
    const category = result.get(row.categoryId)
    if (category?.withUrls.has(row.hostId)) category.alwaysUpToDate.push(row.hostId)
  }
  return result
}

async function countStats(sql: Sql, hosts: number): Promise<SnapshotStats> {
  const [row] = await sql<{ directories: number; repositories: number }[]>`
    select
      (select count(distinct directory_id) from category_directory)::int as directories,
      (select count(*) from repository r join arch a on a.id = r.arch_id
        where coalesce(r.prefix, '') <> ''
          and exists (select 1 from category_directory cd where cd.directory_id = r.directory_id))::int as repositories`
  return { hosts, directories: row!.directories, repositories: row!.repositories }
}

/**
 * Starts reading: loads the small tables and the counts now, and returns the entries as
 * a generator that reads the big tables while the writer consumes it. Run inside one
 * repeatable-read transaction so every query sees the same data.
 */
export async function collectSnapshot(sql: Sql, options: CollectOptions): Promise<CollectedSnapshot> {
  const [clock] = await sql<{ now: number }[]>`select extract(epoch from now())::bigint as now`
  const hosts = await activeHosts(sql, options)
  const categoryData = await categories(sql, hosts)
  const stats = await countStats(sql, hosts.size)
  return { createdAt: clock!.now, stats, entries: entries(sql, clock!.now, hosts, categoryData, options) }
}

async function* entries(
  sql: Sql,
  createdAt: number,
  hosts: Map<number, HostEntry>,
  categoryData: Map<number, CategoryData>,
  options: CollectOptions,
): AsyncGenerator<SnapshotEntry> {
  yield { Header: { formatVersion: SNAPSHOT_FORMAT_VERSION, createdAt, generator: 'mirrormanager generate-snapshot' } }
  for (const host of hosts.values()) yield { Host: host }
  for (const category of categoryData.values()) yield { Category: category.entry }
  const counts = { hostSets: 0, directories: 0, repositories: 0 }
  const directoryNames = new Set<string>()
  for await (const entry of directoryEntries(sql, categoryData, options.batchSize ?? 1000, counts)) {
    if ('Directory' in entry) directoryNames.add(entry.Directory.name)
    yield entry
  }
  const repositories = await sql<{ prefix: string; arch: string; directory: string; disabled: boolean }[]>`
    select r.prefix, a.name as arch, d.name as directory, r.disabled
    from repository r join arch a on a.id = r.arch_id join directory d on d.id = r.directory_id
    where coalesce(r.prefix, '') <> ''
    order by r.prefix, a.name`
  for (const repository of repositories) {
    if (!directoryNames.has(repository.directory)) continue
    counts.repositories++
    yield { Repository: repository }
  }
  yield { Tables: await tables(sql, options) }
  yield { Footer: { hosts: hosts.size, categories: categoryData.size, ...counts } }
}

async function tables(sql: Sql, options: CollectOptions) {
  const repositoryRedirects: Record<string, string> = {}
  for (const row of await sql<{ fromRepo: string; toRepo: string }[]>`select from_repo, to_repo from repository_redirect order by id`) {
    repositoryRedirects[row.fromRepo] = row.toRepo
  }
  const countryContinentRedirects: Record<string, string> = {}
  for (const row of await sql<{ country: string; continent: string }[]>`
    select upper(country) as country, upper(continent) as continent from country_continent_redirect order by id`) {
    countryContinentRedirects[row.country.trim()] = row.continent.trim()
  }
  const netblockCountries: Record<string, string> = {}
  for (const row of await sql<{ netblock: string; country: string }[]>`
    select netblock, upper(country) as country from netblock_country order by id`) {
    const cidr = parseCidr(row.netblock.trim())
    if (cidr) netblockCountries[formatCidr(cidr)] = row.country.trim()
    else options.warn(`netblock-country entry ${JSON.stringify(row.netblock)} is not a CIDR block; skipped`)
  }
  return { repositoryRedirects, countryContinentRedirects, netblockCountries }
}

interface DirectoryRow {
  id: number
  name: string
  categoryId: number
  /** hosts whose host_category_dir row for this directory (in its category) says up to date */
  upToDate: number[]
}

/**
 * Every directory of a category with the hosts marked up to date for it, in ONE query
 * read through a cursor (`batchSize` rows at a time). Speed: one hash aggregate over
 * host_category_dir (a sequential scan) is ~3x faster than per-batch index range scans,
 * whose heap reads are random; memory stays at one batch on our side.
 */
async function* directoryEntries(
  sql: Sql,
  categoryData: Map<number, CategoryData>,
  batchSize: number,
  counts: { hostSets: number; directories: number },
): AsyncGenerator<SnapshotEntry> {
  // file details first: the cursor below holds the (only) connection until it is done
  const files = await fileDetails(sql)
  const hostSetIds = new Map<string, number>()
  const cursor = sql<DirectoryRow[]>`
    with directories as (
      select directory_id, min(category_id)::int as category_id from category_directory group by directory_id
    ), up_to_date as (
      select hcd.directory_id, hc.category_id, array_agg(hc.host_id) as host_ids
      from host_category_dir hcd join host_category hc on hc.id = hcd.host_category_id
      where hcd.up2date
      group by hcd.directory_id, hc.category_id
    )
    select d.id, d.name, ds.category_id, coalesce(u.host_ids, '{}') as up_to_date
    from directories ds
    join directory d on d.id = ds.directory_id
    left join up_to_date u on u.directory_id = ds.directory_id and u.category_id = ds.category_id
    order by d.id`.cursor(batchSize)
  for await (const batch of cursor) {
    for (const directory of batch) {
      const category = categoryData.get(directory.categoryId)!
      const carriers = new Set(category.alwaysUpToDate)
      for (const hostId of directory.upToDate) {
        if (category.withUrls.has(hostId)) carriers.add(hostId)
      }
      const sorted = [...carriers].sort((a, b) => a - b)
      const key = sorted.join(',')
      let hostSet = hostSetIds.get(key)
      if (hostSet === undefined) {
        hostSet = hostSetIds.size
        hostSetIds.set(key, hostSet)
        counts.hostSets++
        yield { HostSet: { id: hostSet, hostIds: encodeHostIds(sorted) } }
      }
      counts.directories++
      yield { Directory: { name: directory.name, categoryId: directory.categoryId, hostSet, files: files.get(directory.id) ?? {} } }
    }
  }
}

/** directory id -> filename -> details, newest first (directories of a category only). */
async function fileDetails(sql: Sql): Promise<Map<number, Record<string, FileDetailEntry[]>>> {
  const rows = await sql<({ directoryId: number; filename: string } & FileDetailEntry)[]>`
    select directory_id, filename, coalesce(timestamp, 0) as timestamp, coalesce(size, 0) as size,
      coalesce(md5, '') as md5, coalesce(sha1, '') as sha1, coalesce(sha256, '') as sha256, coalesce(sha512, '') as sha512
    from file_detail f
    where exists (select 1 from category_directory cd where cd.directory_id = f.directory_id)
    order by directory_id, filename, f.timestamp desc nulls last, id desc`
  const result = new Map<number, Record<string, FileDetailEntry[]>>()
  for (const { directoryId, filename, ...detail } of rows) {
    const files = result.get(directoryId) ?? {}
    ;(files[filename] ??= []).push(detail)
    result.set(directoryId, files)
  }
  return result
}
