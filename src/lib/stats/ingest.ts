/**
 * `stats ingest`: adds the requests of serve-mirrorlist access logs to the per-day
 * statistics. Each file is read from where the previous run stopped (its inode, or for a
 * compressed or copied log the hash of its first bytes, and an offset of its text), and
 * the counts and the new position are written in one transaction, so running it hourly
 * from cron — across logrotate's renames and compression — counts every line once.
 */
import { stat } from 'node:fs/promises'
import { inTransaction, type Sql } from '../db/sql.js'
import { NotFoundError } from '../errors.js'
import { AccessCounter, type CounterContext, type StatCount } from './access-counter.js'
import { HEAD_BYTES, hashHead, isGzip, readHead, readLines } from './read-log.js'

export interface IngestedFile {
  path: string
  /** Offset of the text where this run started (0: a file not seen before). */
  from: number
  to: number
  lines: number
  malformed: number
  /** How the file was recognised: a new file, its inode, or its first bytes (a rotated copy). */
  recognisedBy: 'new' | 'inode' | 'head'
}

export interface IngestResult {
  files: IngestedFile[]
  /** Requests counted per day (UTC), this run. */
  days: { date: string; requests: number }[]
}

/** MirrorManager2's default EMBARGOED_COUNTRIES, used when the embargoed_country table is empty. */
export const DEFAULT_EMBARGOED = ['CU', 'IR', 'KP', 'SD', 'SY']

export async function embargoedCountries(sql: Sql): Promise<Set<string>> {
  const rows = await sql<{ countryCode: string }[]>`select country_code from embargoed_country`
  return new Set(rows.length > 0 ? rows.map((r) => r.countryCode.toUpperCase()) : DEFAULT_EMBARGOED)
}

async function counterContext(sql: Sql): Promise<CounterContext> {
  const rows = await sql<{ prefix: string; arch: string | null; category: string }[]>`
    select r.prefix, a.name as arch, c.name as category
    from repository r join category c on c.id = r.category_id left join arch a on a.id = r.arch_id
    where r.prefix is not null`
  const byRepoArch = new Map<string, string>()
  const byRepo = new Map<string, string>()
  for (const row of rows) {
    byRepoArch.set(`${row.prefix}\t${row.arch ?? ''}`, row.category)
    byRepo.set(row.prefix, row.category)
  }
  return {
    embargoed: await embargoedCountries(sql),
    categoryOf: (repo, arch) => byRepoArch.get(`${repo}\t${arch}`) ?? byRepo.get(repo),
  }
}

interface PositionRow {
  id: number
  headHash: string
  headLength: number
  offset: number
  malformed: number
}

async function findPosition(
  sql: Sql,
  file: { device: number; inode: number; head: Buffer },
): Promise<{ row: PositionRow; by: 'inode' | 'head' } | undefined> {
  const [byInode] = await sql<PositionRow[]>`
    select id, head_hash, head_length, "offset", malformed from access_log_position
    where device = ${file.device} and inode = ${file.inode}`
  // the same inode with other first bytes is a new file (truncated, or the inode reused)
  if (byInode && hashHead(file.head, byInode.headLength) === byInode.headHash) return { row: byInode, by: 'inode' }
  const lengths = await sql<{ headLength: number }[]>`
    select distinct head_length from access_log_position where head_length > 0 and head_length <= ${file.head.length}`
  const hashes = lengths.map((l) => ({ length: l.headLength, hash: hashHead(file.head, l.headLength)! }))
  if (hashes.length === 0) return undefined
  const [byHead] = await sql<PositionRow[]>`
    select p.id, p.head_hash, p.head_length, p."offset", p.malformed
    from access_log_position p
    join unnest(${hashes.map((h) => h.length)}::int[], ${hashes.map((h) => h.hash)}::text[]) as h(length, hash)
      on p.head_length = h.length and p.head_hash = h.hash
    order by p."offset" desc limit 1`
  return byHead ? { row: byHead, by: 'head' } : undefined
}

async function storeCounts(sql: Sql, counts: StatCount[], accesses: Map<string, number>): Promise<void> {
  if (counts.length > 0) {
    await sql`
      insert into access_stat (category_id, date, name, requests)
      select c.id, v.date, v.name, v.requests
      from unnest(${counts.map((c) => c.category)}::text[], ${counts.map((c) => c.date)}::date[],
                  ${counts.map((c) => c.name)}::text[], ${counts.map((c) => c.requests)}::bigint[]) as v(category, date, name, requests)
      join access_stat_category c on c.name = v.category
      on conflict (category_id, date, name) do update set requests = coalesce(access_stat.requests, 0) + excluded.requests`
  }
  if (accesses.size === 0) return
  const dates = [...accesses.keys()]
  await sql`
    insert into access_stat_day (date, accesses)
    select * from unnest(${dates}::date[], ${dates.map((d) => accesses.get(d)!)}::bigint[])
    on conflict (date) do update set accesses = access_stat_day.accesses + excluded.accesses`
  // percent as MirrorManager2 stores it: share of all requests of that day
  await sql`
    update access_stat s set percent = s.requests * 100.0 / nullif(d.accesses, 0)
    from access_stat_day d where d.date = s.date and s.date = any(${dates}::date[])`
}

async function ingestFile(sql: Sql, path: string, context: CounterContext, days: Map<string, number>): Promise<IngestedFile> {
  let info
  try {
    info = await stat(path)
  } catch (error) {
    throw new NotFoundError(`cannot read access log ${path}: ${(error as Error).message}`, { cause: error })
  }
  if (!info.isFile()) throw new NotFoundError(`access log ${path} is not a regular file`)
  const gzip = await isGzip(path)
  const head = await readHead(path, gzip)
  return inTransaction(sql, async (tx) => {
    // one ingest at a time: two cron runs overlapping must not both count the same lines
    await tx`select pg_advisory_xact_lock(7017)`
    const known = await findPosition(tx, { device: info.dev, inode: info.ino, head })
    let from = known?.row.offset ?? 0
    if (!gzip && from > info.size) from = 0 // truncated in place (copytruncate)
    const counter = new AccessCounter(context)
    const { end } = await readLines(path, gzip, from, (buffer, start, stop) => counter.addLines(buffer, start, stop))
    const { counts, accesses, malformed } = counter.result()
    await storeCounts(tx, counts, accesses)
    for (const [date, requests] of accesses) days.set(date, (days.get(date) ?? 0) + requests)
    const headLength = Math.min(HEAD_BYTES, head.length)
    const previousMalformed = known?.by === 'inode' ? known.row.malformed : 0
    await tx`
      insert into access_log_position (device, inode, head_hash, head_length, "offset", malformed, path)
      values (${info.dev}, ${info.ino}, ${hashHead(head, headLength)!}, ${headLength}, ${end}, ${previousMalformed + malformed}, ${path})
      on conflict (device, inode) do update set head_hash = excluded.head_hash, head_length = excluded.head_length,
        "offset" = excluded."offset", malformed = excluded.malformed, path = excluded.path, updated_at = now()`
    return { path, from, to: end, lines: counter.lines, malformed, recognisedBy: known?.by ?? 'new' }
  })
}

export async function ingestAccessLogs(sql: Sql, paths: readonly string[]): Promise<IngestResult> {
  const context = await counterContext(sql)
  const days = new Map<string, number>()
  const files: IngestedFile[] = []
  for (const path of paths) files.push(await ingestFile(sql, path, context, days))
  return { files, days: [...days].sort(([a], [b]) => a.localeCompare(b)).map(([date, requests]) => ({ date, requests })) }
}
