/**
 * One HTTP worker of serve-mirrorlist: loads the snapshot and the lookup tables, serves
 * requests, reloads when the primary says so, and shuts down gracefully. Everything the
 * worker knows is in its own memory; the primary only supervises.
 */
import { existsSync } from 'node:fs'
import type { Server } from 'node:http'
import { createMirrorlistServer } from './server.js'
import { ConfigError } from '../../lib/errors.js'
import { createLogger, type Logger } from '../../lib/log.js'
import { AccessLog } from './access-log.js'
import { loadKeepingLastGood } from './last-good.js'
import { LookupTables } from './lookup.js'
import { isMessage, type ToPrimary, type ToWorker } from './messages.js'
import { renderMetrics, RequestMetrics, type PrimaryMetrics, type WorkerMetrics } from './metrics.js'
import { WORKER_CONFIG_EXIT, type ServerOptions } from './options.js'
import { SnapshotHolder, type ReloadOutcome } from './snapshot-holder.js'
import type { SnapshotFetchStatus } from './snapshot-poller.js'

/** In-flight requests get this long to finish after SIGTERM. */
const SHUTDOWN_GRACE_MS = 10_000
const METRICS_TIMEOUT_MS = 2_000

function send(message: ToPrimary): void {
  // The callback swallows the error of a send racing with the primary's exit.
  if (process.connected) process.send?.(message, undefined, {}, () => {})
}

class Worker {
  readonly logger: Logger
  readonly metrics: RequestMetrics
  readonly holder: SnapshotHolder
  server?: Server
  tables?: LookupTables
  accessLog?: AccessLog
  lastReloadError?: string
  /** --snapshot-url: the primary's fetch status, for /healthz */
  fetchStatus?: SnapshotFetchStatus
  private listening = false
  private shuttingDown = false
  private metricsWaiters = new Map<number, (result: { workers: WorkerMetrics[]; primary: PrimaryMetrics }) => void>()
  private nextId = 1

  constructor(
    readonly options: ServerOptions,
    readonly slot: number,
  ) {
    this.logger = createLogger(options.logLevel, (line) => process.stderr.write(`[worker ${slot}] ${line}`))
    this.metrics = new RequestMetrics(slot)
    this.holder = new SnapshotHolder((file) => loadKeepingLastGood(file, options.lastGoodCopy, this.logger))
  }

  async start(): Promise<void> {
    this.tables = new LookupTables(this.options, this.logger)
    this.metrics.state.lookupData = this.tables.data
    await this.tables.load()
    if (this.options.accessLog) this.accessLog = await AccessLog.open(this.options.accessLog, this.logger)
    this.server = createMirrorlistServer({
      holder: this.holder,
      lookup: this.tables.lookup,
      trustProxy: this.options.trustProxy,
      metrics: this.metrics,
      collectMetrics: () => this.collectMetrics(),
      lastReloadError: () => this.lastReloadError,
      fetchStatus: () => this.fetchStatus,
      maxSnapshotAge: this.options.maxSnapshotAge,
      accessLog: this.accessLog,
      logger: this.logger,
    })
    process.on('message', (message) => {
      if (isMessage<ToWorker>(message)) void this.onMessage(message)
    })
    const outcome = await this.firstLoad()
    this.afterLoad(outcome, 'start')
    // performance.now() counts from process start: module loading, tables and snapshot.
    send({ type: 'loaded', outcome, sinceStartMs: Math.round(performance.now()) })
  }

  /**
   * The snapshot file; when it does not validate, the last good copy the primary keeps
   * (a worker restarted after a rejected reload then serves what the others serve).
   */
  private async firstLoad(): Promise<ReloadOutcome> {
    const outcome = await this.holder.reload(this.options.snapshot)
    const copy = this.options.lastGoodCopy
    if (outcome.ok || !copy || !existsSync(copy)) return outcome
    const fallback = await this.holder.reload(copy, { fromLastGood: true })
    return fallback.ok ? { ...fallback, fromLastGood: true, fileError: outcome.error } : outcome
  }

  private afterLoad(outcome: ReloadOutcome, when: 'start' | 'reload' = 'reload'): void {
    // The previous index and the load's buffers are garbage now: return them to the system.
    ;(globalThis as { gc?: () => void }).gc?.()
    // reloads_total counts reloads (SIGHUP, a replaced file), not a worker's first load.
    if (when === 'reload') this.metrics.recordReload(outcome.ok)
    if (outcome.ok) {
      this.lastReloadError = outcome.fileError
      this.metrics.snapshotSwitched(outcome.createdAt ?? 0, Math.round(Date.now() / 1000))
    } else {
      this.lastReloadError = outcome.error
    }
    // serving a snapshot older than the file on disk, because that file was rejected
    this.metrics.state.snapshotFileRejected = this.holder.current !== undefined && this.lastReloadError !== undefined
  }

  private async onMessage(message: ToWorker): Promise<void> {
    switch (message.type) {
      case 'listen':
        return this.listen()
      case 'reload': {
        for (const failure of (await this.tables?.refresh()) ?? []) this.logger.error(`${failure}; keeping the previous table`)
        const outcome = await this.holder.reload(this.options.snapshot)
        this.afterLoad(outcome)
        if (outcome.ok) this.listen()
        return send({ type: 'reload-result', id: message.id, outcome })
      }
      case 'reopen-log':
        return this.reopenLog()
      case 'shutdown':
        return this.shutdown()
      case 'metrics-collect':
        return send({ type: 'metrics-report', id: message.id, metrics: this.metrics.state })
      case 'fetch-status':
        this.fetchStatus = message.status
        return
      case 'metrics-result':
        this.metricsWaiters.get(message.id)?.({ workers: message.workers, primary: message.primary })
        this.metricsWaiters.delete(message.id)
    }
  }

  listen(): void {
    if (this.listening || this.shuttingDown || !this.server) return
    this.listening = true
    this.server.once('error', (error: NodeJS.ErrnoException) => {
      // EADDRINUSE, EACCES, EADDRNOTAVAIL: restarting will not help; the primary stops.
      this.logger.error(`cannot listen on ${this.options.listen}:${this.options.port}: ${error.message}`)
      process.exit(WORKER_CONFIG_EXIT)
    })
    this.server.listen(this.options.port, this.options.listen, () => {
      const address = this.server!.address()
      send({ type: 'listening', port: typeof address === 'object' && address ? address.port : this.options.port })
    })
  }

  /** All workers' metrics via the primary; alone (no cluster), only ours. */
  collectMetrics(): Promise<string> {
    const now = Math.round(Date.now() / 1000)
    if (!process.send) return Promise.resolve(renderMetrics([this.metrics.state], { workersAlive: 1, workerRestarts: 0, reloads: { ok: this.metrics.state.reloadsOk, rejected: this.metrics.state.reloadsFailed } }, now))
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.metricsWaiters.delete(id)
        reject(new Error('the primary did not answer'))
      }, METRICS_TIMEOUT_MS)
      this.metricsWaiters.set(id, ({ workers, primary }) => {
        clearTimeout(timer)
        resolve(renderMetrics(workers, primary, now))
      })
      send({ type: 'metrics-request', id })
    })
  }

  async reopenLog(): Promise<void> {
    try {
      await this.accessLog?.reopen()
    } catch (error) {
      this.logger.error(`cannot reopen access log: ${(error as Error).message}`)
    }
  }

  /** Stop accepting, let in-flight requests finish, flush the access log, exit 0. */
  async shutdown(): Promise<void> {
    if (this.shuttingDown) return
    this.shuttingDown = true
    const force = setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS)
    force.unref()
    if (this.server?.listening) {
      await new Promise<void>((resolve) => {
        this.server!.close(() => resolve())
        this.server!.closeIdleConnections()
      })
    }
    await this.accessLog?.close()
    process.exit(0)
  }
}

export async function runWorker(options: ServerOptions, slot: number): Promise<void> {
  const worker = new Worker(options, slot)
  process.on('SIGTERM', () => void worker.shutdown())
  process.on('SIGINT', () => void worker.shutdown())
  process.on('SIGHUP', () => {}) // the primary coordinates reloads; a terminal hang-up must not kill us
  process.on('SIGUSR1', () => void worker.reopenLog())
  process.on('disconnect', () => void worker.shutdown()) // the primary is gone
  try {
    await worker.start()
  } catch (error) {
    worker.logger.error((error as Error).message)
    process.exit(error instanceof ConfigError ? WORKER_CONFIG_EXIT : 1)
  }
}
