/**
 * The scan worker's entry: walks one directory source (scan-directory.ts) and posts the
 * directories in batches to the thread that started it (scan-thread.ts). Flow control
 * through shared memory: the worker stays at most `maxBatchesAhead` batches ahead of
 * what the other thread has taken, so a slow database never makes it hold the tree.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { walkDirectorySource } from './scan-directory.js'
import { storedTree, type ScanResult, type ScannedDirectory, type StoredEntry } from './scan-types.js'

export interface ScanWorkerData {
  top: string
  /** "" when the process's working directory is the top (scan-directory.ts), else the top's absolute path. */
  base: string
  excludes: RegExp[]
  directories: Map<string, StoredEntry>
  /** Int32Array view: [batches posted and not yet taken, stop flag]. */
  flow: SharedArrayBuffer
  batchDirectories: number
  batchFiles: number
  maxBatchesAhead: number
}

export type ScanWorkerMessage =
  | { type: 'batch'; directories: ScannedDirectory[] }
  | { type: 'done'; result: ScanResult }
  | { type: 'error'; message: string }

export const AHEAD = 0
export const STOP = 1

class Stopped extends Error {}

function run(data: ScanWorkerData, post: (message: ScanWorkerMessage) => void): void {
  const flow = new Int32Array(data.flow)
  const result: ScanResult = { warnings: [], directoriesListed: 0, filesRead: 0 }
  let batch: ScannedDirectory[] = []
  let files = 0
  const send = () => {
    for (;;) {
      if (Atomics.load(flow, STOP) !== 0) throw new Stopped()
      const ahead = Atomics.load(flow, AHEAD)
      if (ahead < data.maxBatchesAhead) break
      Atomics.wait(flow, AHEAD, ahead)
    }
    Atomics.add(flow, AHEAD, 1)
    post({ type: 'batch', directories: batch })
    batch = []
    files = 0
  }
  for (const directory of walkDirectorySource(data.top, data.base, data.excludes, storedTree(data.directories), result)) {
    batch.push(directory)
    files += directory.files?.length ?? 0
    if (batch.length >= data.batchDirectories || files >= data.batchFiles) send()
  }
  if (batch.length > 0) send()
  post({ type: 'done', result })
}

if (parentPort) {
  const port = parentPort
  try {
    run(workerData as ScanWorkerData, (message) => port.postMessage(message))
  } catch (error) {
    if (!(error instanceof Stopped)) port.postMessage({ type: 'error', message: (error as Error).message })
  }
}
