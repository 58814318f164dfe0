/**
 * `crawl propagation`: how far behind the master each mirror's copy of the current
 * releases' updates repositories is. For every repository, every active public host
 * carrying its category is asked for repodata/repomd.xml (one GET, capped, one
 * connection per mirror); its sha256 is looked up among the stored file details of that
 * repomd.xml and the age difference to the newest gives same day / 1 / 2 / older days
 * behind, or unknown when the file is unreachable or matches no stored version.
 * One propagation_stat row per repository per run.
 */
import type { ResolvedConfig } from '../config/resolve.js'
import type { Database } from '../db/connect.js'
import { inTransaction, type Sql } from '../db/sql.js'
import type { Logger } from '../log.js'
import { joinUrl, ProtocolUnavailable } from './connectors/connector.js'
import { eachLimit } from './each-limit.js'
import { HttpClient } from './http-client.js'
import { newCounters } from './types.js'
import { crawlerUserAgent } from './user-agent.js'

export interface PropagationOptions {
  config: ResolvedConfig
  threads: number
  /** Repository prefixes, `*` as wildcard. */
  prefixes: string[]
  dryRun: boolean
  logger: Logger
}

export interface PropagationRow {
  repositoryId: number
  prefix: string
  arch: string | null
  sameDay: number
  oneDay: number
  twoDay: number
  older: number
  noInfo: number
}

interface RepositoryRow {
  id: number
  prefix: string
  arch: string | null
  categoryId: number
  /** Repository directory relative to the category top. */
  path: string
  repodataId: number | null
}

interface Probe {
  repository: RepositoryRow
  url: string
}

const DAY = 86400
type Bucket = 'sameDay' | 'oneDay' | 'twoDay' | 'older' | 'noInfo'

export function propagationBucket(newest: number, matched: number | undefined): Bucket {
  if (matched === undefined) return 'noInfo'
  const days = Math.floor((newest - matched) / DAY)
  return days <= 0 ? 'sameDay' : days === 1 ? 'oneDay' : days === 2 ? 'twoDay' : 'older'
}

async function loadRepositories(sql: Sql, prefixes: string[]): Promise<RepositoryRow[]> {
  const patterns = prefixes.map((prefix) => prefix.replaceAll('%', '\\%').replaceAll('_', '\\_').replaceAll('*', '%'))
  return sql<RepositoryRow[]>`
    select r.id, r.prefix, a.name as arch, r.category_id,
           mm_path_in_category(d.name, t.name) as path,
           rd.id as repodata_id
    from repository r
    join version v on v.id = r.version_id
    join directory d on d.id = r.directory_id
    join category c on c.id = r.category_id
    join directory t on t.id = c.topdir_id
    left join arch a on a.id = r.arch_id
    left join directory rd on rd.name = d.name || '/repodata'
    where not r.disabled and not v.is_test and v.display and r.prefix like any(${patterns}::text[])
    order by r.prefix, a.name`
}

async function loadProbes(sql: Sql, repositories: RepositoryRow[]): Promise<Probe[]> {
  const urls = await sql<{ categoryId: number; url: string }[]>`
    select distinct on (hc.id) hc.category_id, u.url
    from host h join site s on s.id = h.site_id
    join host_category hc on hc.host_id = h.id
    join host_category_url u on u.host_category_id = hc.id
    where h.admin_active and h.user_active and s.admin_active and s.user_active and not h.private and not s.private
      and not u.private and (u.url like 'http://%' or u.url like 'https://%')
      and hc.category_id = any(${[...new Set(repositories.map((r) => r.categoryId))]}::int[])
    order by hc.id, u.url like 'https://%', u.id`
  return repositories.flatMap((repository) =>
    urls
      .filter((row) => row.categoryId === repository.categoryId)
      .map((row) => ({ repository, url: joinUrl(row.url.replace(/\/+$/, ''), repository.path, 'repodata', 'repomd.xml') })),
  )
}

export async function runPropagation(database: Pick<Database, 'sql'>, options: PropagationOptions): Promise<{ datetime: Date; repositories: PropagationRow[] }> {
  const { sql } = database
  const { config, logger } = options
  const repositories = await loadRepositories(sql, options.prefixes)
  const versions = await sql<{ directoryId: number; sha256: string; timestamp: number }[]>`
    select directory_id, sha256, timestamp from file_detail
    where filename = 'repomd.xml' and sha256 is not null and timestamp is not null
      and directory_id = any(${repositories.map((r) => r.repodataId).filter((id): id is number => id !== null)}::int[])`
  const probes = await loadProbes(sql, repositories)
  logger.info(`propagation: ${repositories.length} repositories, ${probes.length} repomd.xml to fetch`)
  const rows = new Map<number, PropagationRow>(
    repositories.map((r) => [r.id, { repositoryId: r.id, prefix: r.prefix, arch: r.arch, sameDay: 0, oneDay: 0, twoDay: 0, older: 0, noInfo: 0 }]),
  )
  const http = new HttpClient({ connections: 1, requestTimeoutMs: config.get('crawl.request_timeout') * 1000, maxRedirects: config.get('crawl.max_redirects'), userAgent: crawlerUserAgent(config.get('crawl.contact_url')) })
  const signal = new AbortController().signal
  try {
    await eachLimit(probes, options.threads, async ({ repository, url }) => {
      const known = versions.filter((v) => v.directoryId === repository.repodataId)
      const newest = Math.max(...known.map((v) => v.timestamp))
      let matched: number | undefined
      try {
        const got = await http.fetch(url, signal, newCounters(), 'http', 16 * 1024 * 1024)
        if (got.kind === 'ok') matched = known.find((v) => v.sha256 === got.sha256)?.timestamp
      } catch (error) {
        if (!(error instanceof ProtocolUnavailable)) throw error
      }
      rows.get(repository.id)![propagationBucket(newest, matched)]++
    })
  } finally {
    await http.close()
  }
  const datetime = new Date()
  const result = [...rows.values()]
  if (!options.dryRun) {
    await inTransaction(sql, async (tx) => {
      for (const row of result) {
        await tx`insert into propagation_stat (repository_id, datetime, same_day, one_day, two_day, older, no_info)
          values (${row.repositoryId}, ${datetime}, ${row.sameDay}, ${row.oneDay}, ${row.twoDay}, ${row.older}, ${row.noInfo})`
      }
    })
  }
  return { datetime, repositories: result }
}
