/**
 * Leases on the work rows of a crawl round (issue 19). A worker claims the first host
 * that is waiting, or whose lease expired, with SELECT ... FOR UPDATE SKIP LOCKED (two
 * workers never wait on, nor get, the same row), renews the lease while it crawls, and
 * completes it in the transaction that stores the host's results — only while it still
 * holds the lease, so a worker whose lease was taken over never overwrites, and no host
 * is counted twice. Times are the database server's clock (now()), never a worker's.
 */
import { inTransaction, type Sql } from '../db/sql.js'
import { storeHostCrawlIn, type StoreOptions } from './store-results.js'
import { hostSummary } from './summary.js'
import type { HostCrawlResult } from './types.js'

export interface Lease {
  roundId: number
  hostId: number
  worker: string
  /** This claim took an expired lease of another worker. */
  takeover: boolean
  attempts: number
}

export interface ClaimOptions {
  roundId: number
  worker: string
  leaseSeconds: number
  /** A host whose lease expired this many times is given up (failed), not claimed again. */
  maxAttempts: number
}

/** Claims the next host of the open round `roundId`, or returns null when none is claimable now. */
export async function claimHost(sql: Sql, options: ClaimOptions): Promise<Lease | null> {
  return inTransaction(sql, async (tx) => {
    for (;;) {
      const [row] = await tx<{ hostId: number; state: string; attempts: number }[]>`
        select w.host_id, w.state, w.attempts from crawl_work w
        where w.round_id = ${options.roundId}
          and exists (select 1 from crawl_round r where r.id = w.round_id and r.state = 'open')
          and (w.state = 'waiting' or (w.state = 'leased' and w.lease_expires < now()))
        order by w.position
        limit 1
        for update of w skip locked`
      if (!row) return null
      const takeover = row.state === 'leased'
      if (takeover && row.attempts >= options.maxAttempts) {
        // Every worker that took this host died or stalled on it: stop feeding it workers.
        await tx`
          update crawl_work set state = 'failed', lost_by = worker, worker = null, lease_expires = null, finished = now(),
            summary = ${tx.json({ message: `given up after ${row.attempts} expired leases` })}
          where round_id = ${options.roundId} and host_id = ${row.hostId}`
        continue
      }
      await tx`
        update crawl_work set
          state = 'leased',
          lost_by = case when state = 'leased' then worker else lost_by end,
          takeovers = takeovers + case when state = 'leased' then 1 else 0 end,
          worker = ${options.worker},
          lease_expires = now() + make_interval(secs => ${options.leaseSeconds}),
          attempts = attempts + 1
        where round_id = ${options.roundId} and host_id = ${row.hostId}`
      return { roundId: options.roundId, hostId: row.hostId, worker: options.worker, takeover, attempts: row.attempts + 1 }
    }
  })
}

/** Extends the lease; false when the worker no longer holds it (taken over, round cancelled). */
export async function renewLease(sql: Sql, lease: Lease, leaseSeconds: number): Promise<boolean> {
  const rows = await sql`
    update crawl_work w set lease_expires = now() + make_interval(secs => ${leaseSeconds})
    from crawl_round r
    where w.round_id = ${lease.roundId} and w.host_id = ${lease.hostId} and w.worker = ${lease.worker} and w.state = 'leased'
      and r.id = w.round_id and r.state = 'open'
    returning w.host_id`
  return rows.length === 1
}

/** Locks the work row if `lease` still holds it in an open round. */
async function holds(tx: Sql, lease: Lease): Promise<boolean> {
  const rows = await tx`
    select w.host_id from crawl_work w join crawl_round r on r.id = w.round_id
    where w.round_id = ${lease.roundId} and w.host_id = ${lease.hostId} and w.worker = ${lease.worker}
      and w.state = 'leased' and r.state = 'open'
    for update of w`
  return rows.length === 1
}

/**
 * Stores the host's crawl and completes its lease in one transaction. Returns null (and
 * writes nothing) when the lease was lost; else whether the host got disabled.
 */
export async function completeLease(sql: Sql, lease: Lease, crawl: HostCrawlResult, store: StoreOptions): Promise<boolean | null> {
  return inTransaction(sql, async (tx) => {
    if (!(await holds(tx, lease))) return null
    crawl.disabled = await storeHostCrawlIn(tx, crawl, store)
    await tx`
      update crawl_work set state = ${crawl.result === 'ok' ? 'done' : 'failed'}, result = ${crawl.result},
        summary = ${tx.json(JSON.parse(JSON.stringify(hostSummary(crawl))))}, lease_expires = null, finished = now()
      where round_id = ${lease.roundId} and host_id = ${lease.hostId}`
    return crawl.disabled
  })
}

/** Completes a lease without a crawl (the host left the round's selection); false when the lease was lost. */
export async function abandonLease(sql: Sql, lease: Lease, message: string): Promise<boolean> {
  return inTransaction(sql, async (tx) => {
    if (!(await holds(tx, lease))) return false
    await tx`
      update crawl_work set state = 'failed', summary = ${tx.json({ message })}, lease_expires = null, finished = now()
      where round_id = ${lease.roundId} and host_id = ${lease.hostId}`
    return true
  })
}

/** Gives a lease back (the worker is stopping): the host waits for another worker at once. */
export async function releaseLease(sql: Sql, lease: Lease): Promise<void> {
  await sql`
    update crawl_work set state = 'waiting', worker = null, lease_expires = null
    where round_id = ${lease.roundId} and host_id = ${lease.hostId} and worker = ${lease.worker} and state = 'leased'`
}

export interface RoundProgress {
  open: boolean
  waiting: number
  leased: number
  /** Waiting hosts and expired leases: what a claim could get now. */
  claimable: number
}

export async function roundProgress(sql: Sql, roundId: number): Promise<RoundProgress> {
  const [row] = await sql<RoundProgress[]>`
    select exists (select 1 from crawl_round where id = ${roundId} and state = 'open') as open,
           (count(*) filter (where state = 'waiting'))::int as waiting,
           (count(*) filter (where state = 'leased'))::int as leased,
           (count(*) filter (where state = 'waiting' or (state = 'leased' and lease_expires < now())))::int as claimable
    from crawl_work where round_id = ${roundId}`
  return row
}

/** Marks the round done once no host of it is waiting or leased; true when this call did. */
export async function finishRound(sql: Sql, roundId: number): Promise<boolean> {
  const rows = await sql`
    update crawl_round set state = 'done', finished = now()
    where id = ${roundId} and state = 'open'
      and not exists (select 1 from crawl_work where round_id = ${roundId} and state in ('waiting', 'leased'))
    returning id`
  return rows.length === 1
}
