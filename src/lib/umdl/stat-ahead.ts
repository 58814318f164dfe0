/**
 * Stat-ahead for a routine walk of a directory source: a second thread stats the
 * stored directories while this one reads the stored state, builds its maps and walks.
 *
 * Why: a routine run is one stat per stored directory (scan-directory.ts), and those
 * stats are half of it (on the bench tree 55,551 stats, 0.2–0.3 s of a 0.65–0.9 s
 * touched run). The kernel serves stats from two threads in parallel (measured: 55,551
 * stats in 204–235 ms from one thread, 109–158 ms split over two), and the worker
 * starts before the walk: it boots while the stored state is read, gets that text as
 * soon as it has arrived, and stats while this thread parses it and builds its maps.
 *
 * Each stored directory has a status slot in shared memory (stat-ahead-worker.ts). The
 * walk claims a directory before it stats it itself; one the worker has done already is
 * taken from shared memory instead of stat'ed. Nothing ever waits for the other thread:
 * a directory the worker is stat'ing at that moment is stat'ed by the walk too. A worker
 * that fails or is slow to start only means the walk stats everything, as without it.
 *
 * Not for a first run (nothing stored to stat; the walk runs in its own worker there) nor
 * for a category with more than one source (the stored paths are not all under one top).
 */
import { Worker } from 'node:worker_threads'
import { resolve } from 'node:path'
import { STATUS_DONE, STATUS_FREE, STATUS_MISSING, STATUS_WALK, STOP_SLOT, TOP_SLOT, type StatAheadJob, type StatAheadWorkerData } from './stat-ahead-worker.js'

// Under the test runner this module is TypeScript, and so is its worker.
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './stat-ahead-worker.ts' : './stat-ahead-worker.js', import.meta.url)

/** What the walk needs of a directory's stat. */
export interface DirectoryStat {
  ctimeMs: number
  mode: number
}

export class StatAhead {
  /** Stats the worker did that the walk used (debug log, tests). */
  taken = 0
  /** Date.now() when the worker was given its job: its stats are from then on. */
  startedAt = Infinity
  private readonly exited: Promise<void>
  private readonly worker: Worker
  private status?: Int32Array
  private ctimes?: Float64Array
  private modes?: Int32Array
  private count = 0
  private failed = false
  private stopped?: Promise<number>

  /** Starts the worker (it waits for start()); `top` as configured, relative or absolute. */
  constructor(top: string) {
    const data: StatAheadWorkerData = { root: resolve(top) }
    this.worker = new Worker(WORKER_URL, { workerData: data })
    this.worker.unref() // never what keeps the process alive
    this.worker.on('error', () => {
      this.failed = true // the walk stats what is left itself
    })
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()))
  }

  /** Settles when the worker has ended: its job done, stopped or failed (tests wait for it; meanwhile it keeps the process alive). */
  finished(): Promise<void> {
    this.worker.ref()
    return this.exited
  }

  /** Hands the worker the stored-state text; `count`: the directories in it, in its order. */
  start(flat: string, count: number): void {
    if (this.failed || count === 0) return
    this.count = count
    const status = new SharedArrayBuffer(4 * (count + 2))
    const ctimes = new SharedArrayBuffer(8 * count)
    const modes = new SharedArrayBuffer(4 * count)
    this.status = new Int32Array(status)
    this.ctimes = new Float64Array(ctimes)
    this.modes = new Int32Array(modes)
    const job: StatAheadJob = { flat, status, ctimes, modes }
    this.startedAt = Date.now()
    this.worker.postMessage(job)
  }

  /**
   * The stat of the directory at `index` when the worker did it (null: it does not
   * exist), else undefined: the caller stats it itself, and the worker will not.
   */
  take(index: number): DirectoryStat | null | undefined {
    const status = this.status
    if (!status || index >= this.count) return undefined
    const before = Atomics.compareExchange(status, index, STATUS_FREE, STATUS_WALK)
    if (before === STATUS_DONE) {
      this.taken++
      return { ctimeMs: this.ctimes![index], mode: this.modes![index] }
    }
    if (before === STATUS_MISSING) {
      this.taken++
      return null
    }
    return undefined // claimed now by the walk, or the worker is on it this very moment
  }

  /** Tells the worker whether the process's working directory is the source's top (stat-ahead-worker.ts, TOP_SLOT). */
  workingDirectoryIsTop(yes: boolean): void {
    if (this.status) Atomics.store(this.status, this.count + TOP_SLOT, yes ? 1 : 0)
  }

  /** Tells the worker to stat no more (it ends by itself); take() still returns what it did. */
  halt(): void {
    if (this.status) Atomics.store(this.status, this.count + STOP_SLOT, 1)
  }

  /** Stops the worker (at the end of the walk, or when it is not needed after all); again: a no-op. */
  async stop(): Promise<void> {
    this.halt()
    this.stopped ??= this.worker.terminate()
    await this.stopped
  }
}

/** A stat-ahead worker for a walk of `top`, or none if one cannot be started (the walk then stats everything itself). */
export function startStatAhead(top: string): StatAhead | undefined {
  try {
    return new StatAhead(top)
  } catch {
    return undefined
  }
}
