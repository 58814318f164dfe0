/**
 * The stat-ahead worker's entry (stat-ahead.ts): stats the stored directories of one
 * directory source, from the last one read to the first, and puts each result in shared
 * memory for the walk in the other thread. Each directory is claimed first
 * (compare-and-exchange on its status slot), so the walk and this worker never stat the
 * same one twice: whichever gets to it first does it.
 *
 * No imports beyond node's: the worker boots while the other thread reads the stored
 * state, and should be ready when that read is done.
 */
import { statSync } from 'node:fs'
import { parentPort, workerData } from 'node:worker_threads'

export interface StatAheadWorkerData {
  /** The source's top, absolute: for stats made while the working directory is not the top. */
  root: string
}

export interface StatAheadJob {
  /** The stored-state text (category-store.ts): a flat JSON array [id, ctime, readable, path, ...]. */
  flat: string
  /** Int32Array view, one slot per stored directory (STATUS_*), then the stop flag (STOP_SLOT), then the top flag (TOP_SLOT). */
  status: SharedArrayBuffer
  /** Float64Array view: ctimeMs of each directory stat'ed here. */
  ctimes: SharedArrayBuffer
  /** Int32Array view: st_mode of each directory stat'ed here. */
  modes: SharedArrayBuffer
}

export const STATUS_FREE = 0
/** Claimed by this worker, being stat'ed. */
export const STATUS_WORKING = 1
/** Stat'ed here: ctimes and modes hold the result. */
export const STATUS_DONE = 2
/** Stat'ed here: it does not exist (or cannot be stat'ed). */
export const STATUS_MISSING = 3
/** Claimed by the walk: it stats it itself. */
export const STATUS_WALK = 4
/** After the directories' slots: set to stop the worker. */
export const STOP_SLOT = 0
/**
 * After that: set while the process's working directory is the source's top (the walk
 * moved there, scan-directory.ts). Stats then use paths relative to it, as the walk's do:
 * measured, 55,551 stats from here took 350–380 ms with absolute paths (9 components to
 * resolve each).
 */
export const TOP_SLOT = 1

function run(data: StatAheadWorkerData, job: StatAheadJob): void {
  const values = JSON.parse(job.flat) as unknown[]
  const count = values.length / 4
  const status = new Int32Array(job.status)
  const ctimes = new Float64Array(job.ctimes)
  const modes = new Int32Array(job.modes)
  const stop = count + STOP_SLOT
  const atTop = count + TOP_SLOT
  const root = data.root.endsWith('/') && data.root.length > 1 ? data.root.slice(0, -1) : data.root
  for (let index = count - 1; index >= 0; index--) {
    if (Atomics.load(status, stop) !== 0) return
    if (Atomics.compareExchange(status, index, STATUS_FREE, STATUS_WORKING) !== STATUS_FREE) continue
    const path = values[index * 4 + 3] as string
    // The flag is cleared before the walk's working directory is restored, and a stat
    // made after that (read the flag, then the directory moved) is one the walk, over by
    // then, never takes.
    const where = Atomics.load(status, atTop) !== 0 ? (path === '' ? '.' : path) : path === '' ? root : `${root}/${path}`
    let stats
    try {
      stats = statSync(where, { throwIfNoEntry: false })
    } catch {
      stats = undefined // unreadable, a symlink loop: as the walk's own stat would say
    }
    if (stats) {
      ctimes[index] = stats.ctimeMs
      modes[index] = stats.mode
    }
    // After the values: the walk reads them only once it sees this status (Atomics order).
    Atomics.store(status, index, stats ? STATUS_DONE : STATUS_MISSING)
  }
}

if (parentPort) {
  const port = parentPort
  port.once('message', (job: StatAheadJob) => {
    try {
      run(workerData as StatAheadWorkerData, job)
    } finally {
      port.close() // nothing more to do: the worker ends
    }
  })
}
