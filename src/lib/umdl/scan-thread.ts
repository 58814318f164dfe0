/**
 * Scans a local directory source in a worker thread while this thread plans and writes
 * what arrives. On the embedded database (PGlite, in this thread) that is what lets the
 * walk and the database work use both cores; on a server it keeps this thread free to
 * feed the connection.
 */
import { Worker } from 'node:worker_threads'
import { checkTop, inSourceDirectory } from './scan-directory.js'
import type { DirectorySink, ScanProgress, ScanResult, StoredTree } from './scan-types.js'
import { AHEAD, STOP, type ScanWorkerData, type ScanWorkerMessage } from './scan-worker.js'

export interface ScanFlow {
  /** Directories per batch posted by the worker. */
  batchDirectories: number
  /** ... or fewer, when they carry this many file entries. */
  batchFiles: number
  /** Batches the worker may have posted and this thread not yet taken. */
  maxBatchesAhead: number
}

export const DEFAULT_FLOW: ScanFlow = { batchDirectories: 500, batchFiles: 10_000, maxBatchesAhead: 4 }

// Under the test runner this module is TypeScript, and so is its worker.
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './scan-worker.ts' : './scan-worker.js', import.meta.url)

/** The worker's messages, one at a time, in order; an exit without 'done' is an error. */
function messagesOf(worker: Worker): () => Promise<ScanWorkerMessage> {
  const queue: ScanWorkerMessage[] = []
  let waiting: ((message: ScanWorkerMessage) => void) | undefined
  const push = (message: ScanWorkerMessage) => {
    if (waiting) {
      const resolve = waiting
      waiting = undefined
      resolve(message)
    } else queue.push(message)
  }
  worker.on('message', push)
  worker.on('error', (error) => push({ type: 'error', message: `scan worker failed: ${error.message}` }))
  worker.on('exit', (code) => push({ type: 'error', message: `scan worker exited (status ${code}) before the end of the walk` }))
  return () => (queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((resolve) => (waiting = resolve)))
}

export async function scanDirectorySource(
  top: string,
  excludes: readonly RegExp[],
  stored: StoredTree,
  sink: DirectorySink,
  progress?: ScanProgress,
  flow: ScanFlow = DEFAULT_FLOW,
): Promise<ScanResult> {
  checkTop(top) // here, so an unmounted source fails with the same error as ever
  return inSourceDirectory(top, (base) => scanInWorker({ top, base, excludes: [...excludes], directories: new Map([...stored.directories].map(([path, entry]) => [path, { ctime: entry.ctime }])), ...flow }, sink, progress))
}

async function scanInWorker(options: Omit<ScanWorkerData, 'flow'>, sink: DirectorySink, progress?: ScanProgress): Promise<ScanResult> {
  const shared = new SharedArrayBuffer(8)
  const counters = new Int32Array(shared)
  const data: ScanWorkerData = { ...options, flow: shared }
  const worker = new Worker(WORKER_URL, { workerData: data })
  const next = messagesOf(worker)
  let seen = 0
  let changed = 0
  try {
    for (;;) {
      const message = await next()
      if (message.type === 'error') throw new Error(message.message)
      if (message.type === 'done') {
        progress?.(seen, changed)
        return message.result
      }
      for (const directory of message.directories) {
        seen++
        if (directory.files !== undefined) changed++
        const wait = sink(directory)
        if (wait) await wait
      }
      Atomics.sub(counters, AHEAD, 1)
      Atomics.notify(counters, AHEAD)
      progress?.(seen, changed)
    }
  } finally {
    Atomics.store(counters, STOP, 1)
    Atomics.notify(counters, AHEAD)
    worker.removeAllListeners('exit')
    await worker.terminate()
  }
}
