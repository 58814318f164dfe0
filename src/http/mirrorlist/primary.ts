/**
 * The serve-mirrorlist primary: forks the workers and supervises them. It holds no
 * request state and never loads the snapshot. It
 *   - restarts a worker that dies (with backoff when it keeps dying); a worker started
 *     while the file on disk does not validate serves the last snapshot that did, from
 *     a private copy the workers keep (last-good.ts),
 *   - coordinates reloads (SIGHUP, or --watch): one worker at a time, so the others keep
 *     serving while one loads; a snapshot the first worker rejects is not offered to the
 *     others, and every worker keeps the snapshot it had,
 *   - with --snapshot-url, fetches the snapshot before the workers start and polls for
 *     new ones (snapshot-poller.ts); an installed one is reloaded like SIGHUP does,
 *   - forwards SIGUSR1 (reopen the access log), collects metrics for /metrics,
 *   - shuts down gracefully on SIGTERM/SIGINT (workers finish in-flight requests).
 */
import cluster, { type Worker } from 'node:cluster'
import { once } from 'node:events'
import { existsSync, watch, type FSWatcher } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker as Thread } from 'node:worker_threads'
import { ConfigError } from '../../lib/errors.js'
import { checkSnapshotPresent } from '../../lib/snapshot/check-present.js'
import type { Logger } from '../../lib/log.js'
import { STOP_SIGNALS } from '../stop-signals.js'
import { isMessage, type ToPrimary, type ToWorker } from './messages.js'
import type { WorkerMetrics } from './metrics.js'
import { WORKER_CONFIG_EXIT, WORKER_OPTIONS_ENV, WORKER_SLOT_ENV, type ServerOptions } from './options.js'
import type { ReloadOutcome } from './snapshot-holder.js'
import { makeLastGoodCopyPath } from './last-good.js'
import { SnapshotPoller } from './snapshot-poller.js'

const RELOAD_TIMEOUT_MS = 120_000
const WATCH_DEBOUNCE_MS = 1_000
const SHUTDOWN_TIMEOUT_MS = 15_000
/**
 * V8 flags of the workers (measured in bench/server):
 * --max-semi-space-size=2: requests make only short-lived garbage, which small young
 *   generations collect as well; the default 16 MB semi-spaces cost ~30 MB RSS per worker
 *   (and 8 MB ones were slower in an A/B run).
 * --single-threaded-gc: with one worker per core, V8's parallel GC helper threads only
 *   wake up to contend with the other workers (futex calls at every young-generation
 *   collection). Two servers under the same load: 0.35–0.37 vs 0.31–0.33 of the baseline's
 *   metalinks/s with this flag; one server alone: within the noise either way.
 * --expose-gc: a worker collects once after loading, so the transient buffers of a load
 *   (decompressed blocks, the netblocks file text) leave its RSS before it serves.
 */
const WORKER_V8_FLAGS = ['--max-semi-space-size=2', '--single-threaded-gc', '--expose-gc']
/** A worker that lived this long before dying is restarted at once. */
const HEALTHY_LIFETIME_MS = 10_000

interface Slot {
  slot: number
  worker?: Worker
  startedAt: number
  serving: boolean
  failures: number
  everLoaded: boolean
}

export interface ServeSummary {
  port: number
  workers: number
  reloads: { ok: number; rejected: number }
  workerRestarts: number
}

export class Primary {
  private readonly slots: Slot[] = []
  private readonly waiters = new Map<number, (message: ToPrimary) => void>()
  private nextId = 1
  private shuttingDown = false
  private reloading = false
  private startupReported = false
  private reloadPending = false
  private watcher?: FSWatcher
  private port?: number
  private readonly summary: ServeSummary
  private lastGood?: ReturnType<typeof makeLastGoodCopyPath>
  private readonly poller?: SnapshotPoller
  private resolveDone!: (summary: ServeSummary) => void
  private rejectDone!: (error: Error) => void

  constructor(
    private readonly options: ServerOptions,
    private readonly logger: Logger,
  ) {
    this.summary = { port: 0, workers: options.workers, reloads: { ok: 0, rejected: 0 }, workerRestarts: 0 }
    if (options.snapshotUrl) this.poller = new SnapshotPoller({ ...options, snapshotUrl: options.snapshotUrl }, logger)
  }

  run(): Promise<ServeSummary> {
    const done = new Promise<ServeSummary>((resolve, reject) => {
      this.resolveDone = resolve
      this.rejectDone = reject
    })
    this.start().catch((error: Error) => this.rejectDone(error))
    return done
  }

  private async start(): Promise<void> {
    process.on('SIGHUP', () => void this.reload('SIGHUP'))
    process.on('SIGUSR1', () => this.broadcast({ type: 'reopen-log' }))
    for (const signal of STOP_SIGNALS) process.on(signal, () => void this.shutdown(signal))
    // First poll at start: a server without a local snapshot gets one before its workers load.
    if (this.poller) await this.poller.poll()
    if (this.shuttingDown) return
    checkSnapshotPresent(this.options.snapshot, this.options.requireSnapshot === true, this.logger)
    this.lastGood = makeLastGoodCopyPath()
    await this.prepareGlobalNetblocks(this.lastGood.globalNetblocksCopy)
    cluster.setupPrimary({ exec: sibling('worker-main'), args: [], execArgv: [...process.execArgv, ...WORKER_V8_FLAGS] })
    for (let slot = 1; slot <= this.options.workers; slot++) {
      this.slots.push({ slot, startedAt: 0, serving: false, failures: 0, everLoaded: false })
    }
    this.startNextWorker()
    if (this.options.watch && this.poller) this.logger.info('--watch is not needed with --snapshot-url: a fetched snapshot is reloaded')
    else if (this.options.watch) this.startWatching()
    this.poller?.start((result) => this.afterPoll(result))
  }

  /**
   * Parses the global netblocks file once, in a thread, into the compact copy every worker
   * then reads (lib/netblocks/compact-netblocks.ts): no worker start pays for the parse,
   * and the parse's memory leaves with the thread. A failure is left to the workers, which
   * then parse the file themselves and report it.
   */
  private async prepareGlobalNetblocks(copy: string): Promise<void> {
    const file = this.options.globalNetblocks
    if (!file) return
    const thread = new Thread(sibling('netblocks-copy-thread'), { workerData: { file, copy } })
    thread.on('error', (error) => this.logger.debug(`global netblocks: no compact copy made: ${error.message}`))
    await once(thread, 'exit')
  }

  private afterPoll(result: string): void {
    this.broadcast({ type: 'fetch-status', status: this.poller!.status })
    if (result === 'ok') void this.reload(`fetched from ${this.options.snapshotUrl}`)
  }

  /**
   * Workers start one after another (the next when the previous has loaded or died): each
   * load gets the CPU to itself, the first one serves sooner, and peak memory is lower.
   */
  private startNextWorker(): void {
    const next = this.slots.find((slot) => slot.startedAt === 0)
    if (next && !this.shuttingDown) return this.fork(next)
    if (!next && !this.startupReported) {
      this.startupReported = true
      const serving = this.slots.filter((slot) => slot.serving).length
      this.logger.info(`startup complete: ${serving} of ${this.slots.length} workers serving`)
    }
  }

  private fork(slot: Slot): void {
    slot.startedAt = Date.now()
    slot.serving = false
    const options: ServerOptions = { ...this.options, lastGoodCopy: this.lastGood?.path, globalNetblocksCopy: this.lastGood?.globalNetblocksCopy }
    const worker = cluster.fork({ [WORKER_OPTIONS_ENV]: JSON.stringify(options), [WORKER_SLOT_ENV]: String(slot.slot) })
    slot.worker = worker
    worker.on('message', (message: unknown) => {
      if (isMessage<ToPrimary>(message)) this.onMessage(slot, worker, message)
    })
    worker.on('exit', (code, signal) => this.onExit(slot, worker, code, signal))
    // An IPC send racing with the worker's death must not take the primary down.
    worker.on('error', (error) => this.logger.debug(`worker ${slot.slot}: ${error.message}`))
  }

  private onMessage(slot: Slot, worker: Worker, message: ToPrimary): void {
    switch (message.type) {
      case 'loaded':
        if (this.poller) this.tell(worker, { type: 'fetch-status', status: this.poller.status })
        this.onLoaded(slot, worker, message.outcome, message.sinceStartMs)
        return this.startNextWorker()
      case 'listening':
        if (this.port === undefined) {
          this.port = this.summary.port = message.port
          this.logger.info(`serve-mirrorlist: listening on http://${this.options.listen.includes(':') ? `[${this.options.listen}]` : this.options.listen}:${message.port}/ with ${this.options.workers} workers (pid ${process.pid})`)
        }
        return
      case 'reload-result':
      case 'metrics-report':
        this.waiters.get(message.id)?.(message)
        this.waiters.delete(message.id)
        return
      case 'metrics-request':
        void this.answerMetrics(worker, message.id)
    }
  }

  private onLoaded(slot: Slot, worker: Worker, outcome: ReloadOutcome, sinceStartMs: number): void {
    if (outcome.ok) {
      slot.serving = slot.everLoaded = true
      slot.failures = 0
      const s = outcome.stats
      if (outcome.fromLastGood) {
        this.logger.warn(`worker ${slot.slot}: snapshot ${this.options.snapshot} rejected: ${outcome.fileError}; serving the last snapshot that validated (${s?.hosts} hosts, ${s?.directories} directories, ${s?.repositories} repositories)`)
        return this.tell(worker, { type: 'listen' })
      }
      this.logger.info(`worker ${slot.slot}: ready in ${sinceStartMs} ms (snapshot loaded in ${outcome.loadMs} ms), ${this.options.snapshot} (${s?.hosts} hosts, ${s?.directories} directories, ${s?.repositories} repositories)`)
      return this.tell(worker, { type: 'listen' })
    }
    // A worker without a snapshot only takes connections when no other worker can.
    const othersServing = this.slots.some((other) => other !== slot && other.serving)
    this.logger.error(`worker ${slot.slot}: cannot load snapshot ${this.options.snapshot}: ${outcome.error}${othersServing ? ' (not taking requests until a reload succeeds)' : ' (answering 503 until a reload succeeds)'}`)
    if (!othersServing) this.tell(worker, { type: 'listen' })
  }

  private onExit(slot: Slot, worker: Worker, code: number | null, signal: string | null): void {
    if (slot.worker !== worker) return
    slot.worker = undefined
    slot.serving = false
    if (this.shuttingDown) return this.finishIfAllExited()
    this.startNextWorker()
    if (code === WORKER_CONFIG_EXIT) {
      this.logger.error(`worker ${slot.slot}: configuration unusable (see above); stopping`)
      void this.shutdown('configuration error', new ConfigError('serve-mirrorlist: a worker could not use its configuration files (see the messages above)'))
      return
    }
    const lived = Date.now() - slot.startedAt
    slot.failures = lived >= HEALTHY_LIFETIME_MS ? 0 : slot.failures + 1
    const delay = slot.failures === 0 ? 0 : Math.min(30_000, 250 * 2 ** (slot.failures - 1))
    this.summary.workerRestarts++
    this.logger.warn(`worker ${slot.slot} (pid ${worker.process.pid}) died (${signal ?? `exit ${code}`}); restarting${delay ? ` in ${delay} ms` : ''}`)
    setTimeout(() => {
      if (!this.shuttingDown) this.fork(slot)
    }, delay)
  }

  private tell(worker: Worker, message: ToWorker): void {
    if (worker.isConnected()) worker.send(message, () => {})
  }

  private broadcast(message: ToWorker): void {
    for (const slot of this.slots) if (slot.worker) this.tell(slot.worker, message)
  }

  /** Sends a request with an id; resolves with the answer, or undefined on timeout/exit. */
  private ask(worker: Worker, message: ToWorker & { id: number }, timeoutMs: number): Promise<ToPrimary | undefined> {
    return new Promise((resolve) => {
      const finish = (answer?: ToPrimary) => {
        clearTimeout(timer)
        worker.off('exit', onExit)
        this.waiters.delete(message.id)
        resolve(answer)
      }
      const onExit = () => finish(undefined)
      const timer = setTimeout(() => finish(undefined), timeoutMs)
      worker.once('exit', onExit)
      this.waiters.set(message.id, finish)
      this.tell(worker, message)
    })
  }

  private async answerMetrics(requester: Worker, id: number): Promise<void> {
    const alive = this.slots.filter((slot) => slot.worker)
    const reports = await Promise.all(alive.map((slot) => this.ask(slot.worker!, { type: 'metrics-collect', id: this.nextId++ }, 1_000)))
    const workers = reports.flatMap((report) => (report?.type === 'metrics-report' ? [report.metrics as WorkerMetrics] : []))
    this.tell(requester, { type: 'metrics-result', id, workers, primary: { workersAlive: alive.length, workerRestarts: this.summary.workerRestarts, reloads: { ...this.summary.reloads }, snapshotFetch: this.poller?.status } })
  }

  /** One worker at a time; a rejected file stops the round. Reloads never overlap. */
  async reload(reason: string): Promise<void> {
    if (this.shuttingDown) return
    if (this.reloading) {
      this.reloadPending = true
      return
    }
    this.reloading = true
    try {
      do {
        this.reloadPending = false
        await this.reloadRound(reason)
      } while (this.reloadPending && !this.shuttingDown)
    } finally {
      this.reloading = false
    }
  }

  private async reloadRound(reason: string): Promise<void> {
    this.logger.info(`reloading ${this.options.snapshot} (${reason})`)
    for (const slot of this.slots) {
      if (!slot.worker) continue
      const answer = await this.ask(slot.worker, { type: 'reload', id: this.nextId++ }, RELOAD_TIMEOUT_MS)
      if (answer?.type !== 'reload-result') {
        this.logger.warn(`worker ${slot.slot}: no reload answer (it exited or timed out)`)
        continue
      }
      const { outcome } = answer
      if (!outcome.ok) {
        this.summary.reloads.rejected++
        this.logger.error(`snapshot ${this.options.snapshot} rejected: ${outcome.error}; still serving the previous snapshot`)
        return
      }
      slot.serving = slot.everLoaded = true
      this.logger.info(`worker ${slot.slot}: switched to the new snapshot (${outcome.loadMs} ms, ${outcome.stats?.repositories} repositories)`)
    }
    this.summary.reloads.ok++
  }

  private startWatching(): void {
    const dir = dirname(this.options.snapshot)
    const name = basename(this.options.snapshot)
    if (!existsSync(dir)) throw new ConfigError(`--watch: directory ${dir} does not exist`, { key: 'mirrorlist.watch' })
    let timer: NodeJS.Timeout | undefined
    // Watch the directory, not the file: generate-snapshot renames a new file into place.
    this.watcher = watch(dir, (_event, file) => {
      if (file !== name) return
      clearTimeout(timer)
      timer = setTimeout(() => void this.reload('file changed'), WATCH_DEBOUNCE_MS)
    })
  }

  async shutdown(reason: string, error?: Error): Promise<void> {
    if (this.shuttingDown) return
    this.shuttingDown = true
    this.logger.info(`shutting down (${reason}): finishing requests in flight`)
    this.watcher?.close()
    this.poller?.stop()
    if (error) this.failure = error
    this.broadcast({ type: 'shutdown' })
    setTimeout(() => {
      for (const slot of this.slots) slot.worker?.process.kill('SIGKILL')
    }, SHUTDOWN_TIMEOUT_MS).unref()
    this.finishIfAllExited()
  }

  private failure?: Error

  private finishIfAllExited(): void {
    if (this.slots.some((slot) => slot.worker)) return
    this.lastGood?.remove()
    if (this.failure) this.rejectDone(this.failure)
    else this.resolveDone(this.summary)
  }
}

/** The module `name` next to this one (.ts when run from source, .js when built). */
function sibling(name: string): string {
  const here = fileURLToPath(import.meta.url)
  return join(dirname(here), `${name}${here.endsWith('.ts') ? '.ts' : '.js'}`)
}

export interface PrimaryOptions extends ServerOptions {
  logger: Logger
}

/** Runs serve-mirrorlist's primary process until it stops; the workers get the options without the logger. */
export function runPrimary(options: PrimaryOptions): Promise<ServeSummary> {
  const { logger, ...serverOptions } = options
  return new Primary(serverOptions, logger).run()
}
