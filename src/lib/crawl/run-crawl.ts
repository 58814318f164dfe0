/**
 * `mirrormanager crawl`: selects the hosts, crawls up to `threads` of them at once over
 * the network, stores each host's results in its own transaction through one write
 * queue, and returns the run's summary. The caller decides how progress is shown
 * (`options.progress`); `crawlFailure` turns a summary with failed hosts into the
 * exit-status-8 error.
 */
import type { ResolvedConfig } from '../config/resolve.js'
import type { Database } from '../db/connect.js'
import type { Sql } from '../db/sql.js'
import { vacuumAfterWrites, type VacuumedTable } from '../db/vacuum.js'
import type { Logger } from '../log.js'
import { AbortFanOut } from './abort-fan-out.js'
import { categoryTreeCache } from './category-tree.js'
import type { Connector, ConnectorLimits } from './connectors/connector.js'
import { ftpConnector } from './connectors/ftp.js'
import { fullfiletimelistConnector } from './connectors/fullfiletimelist.js'
import { httpConnector } from './connectors/http.js'
import { rsyncConnector } from './connectors/rsync.js'
import { crawlHost, type CrawlHostContext } from './crawl-host.js'
import { silentProgress, type CrawlProgress } from './progress.js'
import { selectHosts, type HostSelection } from './select-hosts.js'
import { storeHostCrawl, type StoreOptions } from './store-results.js'
import { summarizeRun, type CrawlSummary } from './summary.js'
import type { CrawlMode, HostCrawlResult } from './types.js'
import { crawlerUserAgent } from './user-agent.js'
import { createWriteQueue } from './write-queue.js'

/** How each host is crawled: the same for a one-process run and a worker. */
export interface HostCrawlSettings {
  mode: CrawlMode
  hostTimeoutSeconds: number
  /** Which protocols to use, cheapest first (default: all). */
  connectors?: readonly Connector[]
}

export interface CrawlOptions extends HostSelection, HostCrawlSettings {
  config: ResolvedConfig
  logger: Logger
  threads: number
  globalTimeoutSeconds: number
  dryRun: boolean
  /** Runs the per-host tasks and shows their progress (default: silently). */
  progress?: CrawlProgress
}

/** Cheapest first: one list per category, one listing per category, a request per file, a LIST per directory. */
export const defaultConnectors: readonly Connector[] = [
  fullfiletimelistConnector,
  rsyncConnector,
  httpConnector('http'),
  httpConnector('https'),
  ftpConnector,
]

export function connectorLimits(config: ResolvedConfig, hostTimeoutSeconds: number): ConnectorLimits {
  return {
    requestTimeoutMs: config.get('crawl.request_timeout') * 1000,
    maxListingBytes: config.get('crawl.max_listing_bytes'),
    sampleSize: config.get('crawl.sample_size'),
    rsyncTimeoutMs: hostTimeoutSeconds * 1000,
    userAgent: crawlerUserAgent(config.get('crawl.contact_url')),
  }
}

/** Everything crawlHost needs but the host; `signal` ends every host crawl started under it. */
export function hostCrawlContext(sql: Sql, config: ResolvedConfig, settings: HostCrawlSettings, signal: AbortSignal): CrawlHostContext {
  return {
    mode: settings.mode,
    connectors: settings.connectors ?? defaultConnectors,
    tree: categoryTreeCache(sql),
    limits: connectorLimits(config, settings.hostTimeoutSeconds),
    connectionsPerHost: config.get('crawl.connections_per_host'),
    maxRedirects: config.get('crawl.max_redirects'),
    hostTimeoutMs: settings.hostTimeoutSeconds * 1000,
    signal,
  }
}

export function storeOptions(config: ResolvedConfig): StoreOptions {
  return { disableAfter: config.get('crawl.disable_after'), logKeep: config.get('crawl.log_keep') }
}

/** What storing a crawl writes (store-results.ts): vacuumed afterwards on the embedded database. */
const CRAWL_TABLES: readonly VacuumedTable[] = ['host_category_dir', 'host', 'host_reachability', 'host_crawl_log']

export async function runCrawl(database: Pick<Database, 'sql' | 'kind'>, options: CrawlOptions): Promise<CrawlSummary> {
  const { sql } = database
  const { config, logger } = options
  const started = Date.now()
  const hosts = await selectHosts(sql, options)
  logger.info(`crawling ${hosts.length} host(s), ${options.threads} at a time (${options.mode}${options.dryRun ? ', dry run' : ''})`)
  // A controller and a timer we hold (not AbortSignal.timeout(), which Node 20 may collect).
  const globalDeadline = new AbortController()
  const globalTimer = setTimeout(() => globalDeadline.abort(new Error('global timeout')), options.globalTimeoutSeconds * 1000)
  const context = hostCrawlContext(sql, config, options, globalDeadline.signal)
  const store = storeOptions(config)
  const writes = createWriteQueue()
  const fanOut = new AbortFanOut()
  const results: HostCrawlResult[] = []
  let notStarted = 0
  try {
    const tasks = hosts.map((host) => ({
      host,
      run: async (step: (text: string) => void) => {
        // Past the global timeout, hosts not started yet are left as they are: running out
        // of time says nothing about them.
        if (context.signal.aborted) {
          notStarted++
          return null
        }
        // Each host's own child of the global deadline: one listener on it however many
        // hosts are in flight (more than 10 tripped MaxListenersExceededWarning).
        const deadline = fanOut.child(context.signal)
        let crawl: HostCrawlResult
        try {
          crawl = await crawlHost(host, { ...context, signal: deadline.signal, onStep: (_, text) => step(text) })
        } finally {
          deadline.release()
        }
        if (!options.dryRun) crawl.disabled = await writes.push(() => storeHostCrawl(sql, crawl, store))
        results.push(crawl)
        logger.debug(`${host.name}: ${crawl.result}`)
        return crawl
      },
    }))
    await (options.progress ?? silentProgress)(tasks, options.threads)
    await writes.drain()
  } finally {
    clearTimeout(globalTimer)
  }
  if (!options.dryRun && results.length > 0) {
    // Every crawl rewrites host_category_dir rows; the embedded database has no autovacuum
    // (src/lib/db/vacuum.ts), so without this its dead tuples would pile up crawl after
    // crawl. Everything was committed already: a failure here is a warning.
    try {
      await vacuumAfterWrites(database, CRAWL_TABLES)
    } catch (error) {
      logger.warn(`vacuum after the crawl's writes failed: ${(error as Error).message}`)
    }
  }
  return summarizeRun(results, { started, dryRun: options.dryRun, mode: options.mode, notStarted })
}
