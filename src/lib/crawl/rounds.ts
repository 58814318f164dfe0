/**
 * Crawl rounds shared by many `crawl --worker` processes (issue 19): `crawl start`
 * creates a round and one work row per selected host, `crawl status` counts them per
 * state and worker, `crawl cancel` ends the open round. The leases on the work rows are
 * in leases.ts; the worker loop in worker.ts.
 */
import type { Database } from '../db/connect.js'
import { inTransaction, type Sql } from '../db/sql.js'
import { ConflictError, NotFoundError } from '../errors.js'
import { selectHosts, type HostSelection } from './select-hosts.js'
import type { CrawlMode } from './types.js'

/** What `crawl start` was given: the host selection of `crawl` and the mode. */
export interface RoundFilters extends HostSelection {
  mode: CrawlMode
}

export type RoundState = 'open' | 'done' | 'cancelled'

export interface CrawlRound {
  id: number
  created: Date
  filters: RoundFilters
  state: RoundState
  cancelled: Date | null
  finished: Date | null
}

export interface StartedRound {
  round: number
  hosts: number
  /** The open round that --force cancelled, if any. */
  cancelledRound: number | null
}

/**
 * Creates a round over the hosts `filters` select, slowest first, in one transaction.
 * Only one round is open at a time: another open round is a conflict unless `force`,
 * which cancels it. A round that selects no host is done at once.
 */
export async function startRound(database: Pick<Database, 'sql'>, options: { filters: RoundFilters; force?: boolean }): Promise<StartedRound> {
  return inTransaction(database.sql, async (tx) => {
    // Serialises concurrent `crawl start`s; the unique index crawl_round_one_open backs it.
    await tx`lock table crawl_round in share row exclusive mode`
    const [open] = await tx<{ id: number }[]>`select id from crawl_round where state = 'open'`
    if (open && !options.force) {
      throw new ConflictError(`crawl round ${open.id} is still open: let its workers finish it, end it with \`crawl cancel\`, or pass --force`, {
        details: { round: open.id },
      })
    }
    if (open) await tx`update crawl_round set state = 'cancelled', cancelled = now() where id = ${open.id}`
    const hosts = await selectHosts(tx, options.filters)
    const filters = JSON.parse(JSON.stringify(options.filters)) as Record<string, never>
    const [round] = await tx<{ id: number }[]>`
      insert into crawl_round (filters, state, finished)
      values (${tx.json(filters)}, ${hosts.length > 0 ? 'open' : 'done'}, ${hosts.length > 0 ? null : new Date()})
      returning id`
    if (hosts.length > 0) {
      await tx`
        insert into crawl_work (round_id, host_id, position)
        select ${round.id}, host_id, position from unnest(${hosts.map((host) => host.id)}::int[]) with ordinality as t (host_id, position)`
    }
    return { round: round.id, hosts: hosts.length, cancelledRound: open?.id ?? null }
  })
}

export async function openRound(sql: Sql): Promise<CrawlRound | null> {
  const [round] = await sql<CrawlRound[]>`select id, created, filters, state, cancelled, finished from crawl_round where state = 'open'`
  return round ?? null
}

/** Cancels the open round: its workers stop claiming hosts, and abandon the crawls in flight at their next lease renewal. */
export async function cancelRound(database: Pick<Database, 'sql'>): Promise<{ round: number; left: number }> {
  return inTransaction(database.sql, async (tx) => {
    const [round] = await tx<{ id: number }[]>`
      update crawl_round set state = 'cancelled', cancelled = now() where state = 'open' returning id`
    if (!round) throw new NotFoundError('no crawl round is open (`crawl start` creates one)')
    const [{ left }] = await tx<{ left: number }[]>`
      select count(*)::int as left from crawl_work where round_id = ${round.id} and state in ('waiting', 'leased')`
    return { round: round.id, left }
  })
}

export interface WorkerCounts {
  worker: string
  leased: number
  done: number
  failed: number
  /** Hosts this worker took over from an expired lease. */
  takeovers: number
  /** Hosts whose lease this worker let expire, taken over by another. */
  lost: number
}

export interface RoundStatus {
  round: CrawlRound
  hosts: { total: number; waiting: number; leased: number; done: number; failed: number; expiredLeases: number }
  takeovers: number
  workers: WorkerCounts[]
}

/** Progress of the newest round (or round `id`), per state and per worker. */
export async function roundStatus(database: Pick<Database, 'sql'>, options: { round?: number } = {}): Promise<RoundStatus> {
  const { sql } = database
  const [round] = await sql<CrawlRound[]>`
    select id, created, filters, state, cancelled, finished from crawl_round
    where ${options.round === undefined} or id = ${options.round ?? 0}
    order by id desc limit 1`
  if (!round) throw new NotFoundError(options.round === undefined ? 'no crawl round yet (`crawl start` creates one)' : `no crawl round ${options.round}`)
  const [hosts] = await sql<(RoundStatus['hosts'] & { takeovers: number })[]>`
    select count(*)::int as total,
           (count(*) filter (where state = 'waiting'))::int as waiting,
           (count(*) filter (where state = 'leased'))::int as leased,
           (count(*) filter (where state = 'done'))::int as done,
           (count(*) filter (where state = 'failed'))::int as failed,
           (count(*) filter (where state = 'leased' and lease_expires < now()))::int as expired_leases,
           coalesce(sum(takeovers), 0)::int as takeovers
    from crawl_work where round_id = ${round.id}`
  const workers = await sql<WorkerCounts[]>`
    select name as worker,
           (count(*) filter (where role = 'holder' and state = 'leased'))::int as leased,
           (count(*) filter (where role = 'holder' and state = 'done'))::int as done,
           (count(*) filter (where role = 'holder' and state = 'failed'))::int as failed,
           (count(*) filter (where role = 'holder' and takeovers > 0))::int as takeovers,
           (count(*) filter (where role = 'loser'))::int as lost
    from (
      select worker as name, 'holder' as role, state, takeovers from crawl_work where round_id = ${round.id} and worker is not null
      union all
      select lost_by, 'loser', state, takeovers from crawl_work where round_id = ${round.id} and lost_by is not null
    ) w
    group by name order by name`
  const { takeovers, ...counts } = hosts
  return { round, hosts: counts, takeovers, workers }
}
