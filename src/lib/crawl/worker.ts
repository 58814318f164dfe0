/**
 * `mirrormanager crawl --worker`: one of any number of processes, on any machines
 * sharing one PostgreSQL server, that crawl the open round together (issue 19). Each of
 * `threads` slots claims a host (leases.ts), crawls it with the same crawlHost as a
 * one-process run while a timer renews the lease, and stores the results in the
 * transaction that completes the lease. A slot that finds nothing to claim waits while
 * leases of other workers are live (one of them could expire and fall back to it);
 * the worker returns when the round has no waiting or leased host left — or, with
 * `follow`, waits for the next round.
 */
import { hostname } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ResolvedConfig } from '../config/resolve.js'
import type { Database } from '../db/connect.js'
import type { Sql } from '../db/sql.js'
import { EmbeddedUnsupportedError } from '../errors.js'
import type { Logger } from '../log.js'
import { AbortFanOut } from './abort-fan-out.js'
import { crawlHost } from './crawl-host.js'
import { abandonLease, claimHost, completeLease, finishRound, releaseLease, renewLease, roundProgress, type Lease } from './leases.js'
import { openRound, type CrawlRound } from './rounds.js'
import { hostCrawlContext, storeOptions, type HostCrawlSettings } from './run-crawl.js'
import { selectHosts } from './select-hosts.js'
import { summarizeRun, type CrawlSummary } from './summary.js'
import type { HostCrawlResult } from './types.js'

export interface CrawlWorkerOptions extends Omit<HostCrawlSettings, 'mode'> {
  config: ResolvedConfig
  logger: Logger
  /** Hosts crawled at once by this worker. */
  threads: number
  /** How long a claim holds a host without renewal; renewed every third of it. */
  leaseSeconds: number
  /** Keep running and wait for the next round instead of returning (the summary is then of the latest round). */
  follow?: boolean
  /** This worker's name in `crawl status` (default: hostname:pid). */
  worker?: string
  /** How often an idle worker looks for work (default: a quarter of the lease, 0.2–2 s). */
  pollMs?: number
  /** A host whose lease expired this many times is given up (default 3). */
  maxAttempts?: number
  /** Aborting it stops claiming; crawls in flight end as at a global timeout. */
  signal?: AbortSignal
}

export interface CrawlWorkerSummary extends CrawlSummary {
  worker: string
  rounds: number[]
  /** Hosts this worker crawled but whose lease it lost before storing: another worker redoes them. */
  leasesLost: number
}

/** Waits `ms`, or less when `signal` aborts (then resolves too: the caller checks the signal). */
const delay = (ms: number, signal: AbortSignal) => sleep(ms, undefined, { signal }).catch(() => {})

export function defaultWorkerName(): string {
  return `${hostname()}:${process.pid}`
}

export async function runCrawlWorker(database: Pick<Database, 'sql' | 'kind'>, options: CrawlWorkerOptions): Promise<CrawlWorkerSummary> {
  if (database.kind === 'embedded') {
    throw new EmbeddedUnsupportedError(
      'crawl --worker needs a PostgreSQL server: the embedded database is opened by one process at a time, so there is nothing to share. Set DATABASE_URL (or --database-url) on every worker, or run plain `mirrormanager crawl`.',
    )
  }
  const { sql } = database
  const worker = options.worker ?? defaultWorkerName()
  const started = Date.now()
  const stop = options.signal ?? new AbortController().signal
  const pollMs = options.pollMs ?? Math.min(2000, Math.max(200, (options.leaseSeconds * 1000) / 4))
  const results: HostCrawlResult[] = []
  const rounds: number[] = []
  const tally = { leasesLost: 0 }
  options.logger.info(`crawl worker ${worker}: ${options.threads} host(s) at a time, leases of ${options.leaseSeconds} s`)
  while (!stop.aborted) {
    const round = await openRound(sql)
    if (round) {
      // A follower runs for months: it keeps the results of its latest round only.
      if (options.follow) results.length = 0
      rounds.push(round.id)
      await workRound(sql, round, { ...options, worker, pollMs, stop }, results, tally)
      if (await finishRound(sql, round.id)) options.logger.info(`crawl round ${round.id} is done`)
      options.logger.info(`crawl round ${round.id}: this worker crawled ${results.length} host(s), ${results.filter((r) => r.result === 'ok').length} ok`)
    } else if (!options.follow) {
      options.logger.info('no crawl round is open (`crawl start` creates one)')
    }
    if (!options.follow) break
    if (!round) await delay(pollMs * 5, stop)
  }
  const mode = results[0]?.mode ?? 'full'
  const summary = summarizeRun(results, { started, dryRun: false, mode, notStarted: 0 })
  return { worker, rounds, leasesLost: tally.leasesLost, ...summary }
}

interface RoundSettings extends CrawlWorkerOptions {
  worker: string
  pollMs: number
  stop: AbortSignal
}

async function workRound(sql: Sql, round: CrawlRound, settings: RoundSettings, results: HostCrawlResult[], tally: { leasesLost: number }): Promise<void> {
  const { logger } = settings
  const context = hostCrawlContext(sql, settings.config, { ...settings, mode: round.filters.mode }, settings.stop)
  const store = storeOptions(settings.config)
  const fanOut = new AbortFanOut()
  const claim = { roundId: round.id, worker: settings.worker, leaseSeconds: settings.leaseSeconds, maxAttempts: settings.maxAttempts ?? 3 }

  // Idle slots share one poll: it returns when something is claimable, or when the round
  // has nothing waiting or leased any more (or was cancelled, or we are stopping).
  let polling: Promise<'retry' | 'finished'> | null = null
  const waitForWork = () =>
    (polling ??= (async () => {
      try {
        for (;;) {
          await delay(settings.pollMs, settings.stop)
          if (settings.stop.aborted) return 'finished'
          const progress = await roundProgress(sql, round.id)
          if (!progress.open || progress.waiting + progress.leased === 0) return 'finished'
          if (progress.claimable > 0) return 'retry'
        }
      } finally {
        polling = null
      }
    })())

  const slot = async () => {
    while (!settings.stop.aborted) {
      const lease = await claimHost(sql, claim)
      if (lease) {
        const crawl = await crawlLeased(lease)
        if (crawl) results.push(crawl)
        continue
      }
      if ((await waitForWork()) === 'finished') return
    }
  }
  await Promise.all(Array.from({ length: settings.threads }, slot))

  async function crawlLeased(lease: Lease): Promise<HostCrawlResult | null> {
    const [host] = await selectHosts(sql, { ...round.filters, hostIds: [lease.hostId] })
    if (!host) {
      await abandonLease(sql, lease, 'the host no longer matches the round (deleted, disabled, or without URLs)')
      return null
    }
    if (lease.takeover) logger.info(`${host.name}: took over an expired lease (attempt ${lease.attempts})`)
    // Its own child of the stop signal (one listener on it however many hosts are in
    // flight: AbortFanOut), aborted alone when the lease is lost.
    const hostSignal = fanOut.child(context.signal)
    let lost = false
    const renewal = setInterval(() => {
      renewLease(sql, lease, settings.leaseSeconds).then(
        (held) => {
          if (!held && !lost) {
            lost = true
            hostSignal.abort(new Error('lease lost'))
          }
        },
        (error: Error) => {
          lost = true
          hostSignal.abort(new Error(`lease renewal failed: ${error.message}`))
        },
      )
    }, (settings.leaseSeconds * 1000) / 3)
    let crawl: HostCrawlResult
    try {
      crawl = await crawlHost(host, { ...context, signal: hostSignal.signal })
    } finally {
      clearInterval(renewal)
      hostSignal.release()
    }
    if (settings.stop.aborted && !lost) {
      // Stopping (SIGTERM): the crawl was cut short; another worker does the host again.
      await releaseLease(sql, lease)
      return null
    }
    const stored = lost ? null : await completeLease(sql, lease, crawl, store)
    if (stored === null) {
      tally.leasesLost++
      logger.warn(`${host.name}: lease lost (taken over, or the round was cancelled); this crawl's results are discarded`)
      return null
    }
    logger.debug(`${host.name}: ${crawl.result}`)
    return crawl
  }
}
