import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { DatabaseUnavailableError } from '../errors.js'
import { siblingWorkerUrl } from '../worker-module.js'
import { lockDataDir, type DataDirLock } from './data-dir-lock.js'
import type { EmbeddedWorkerCommand, EmbeddedWorkerData, EmbeddedWorkerMessage } from './embedded-worker.js'

export interface EmbeddedServer {
  readonly host: string
  readonly port: number
  /** True when this start created the database (initdb ran). */
  readonly created: boolean
  /** The thread PGlite runs in (tests end it to check that a crash is an error, not a hang). */
  readonly thread: Worker
  stop(): Promise<void>
}

export interface EmbeddedOptions {
  dataDir: string
  wait?: boolean
  waitTimeoutSeconds?: number
  command?: string
  /** Called once before a slow first-time initialisation, so people know why they wait. */
  onInitialise?: (pgdata: string) => void
  /** Called when the database thread ends before stop() (a crash): queries fail from then on. */
  onCrash?: (message: string) => void
}

const WORKER_URL = siblingWorkerUrl('embedded-worker', import.meta.url)

/** How long stop() waits for PGlite to close before it ends the thread anyway. */
const STOP_TIMEOUT_MS = 30_000

/** The worker's next message; an error or an exit before it rejects with the reason. */
function nextMessage(worker: Worker): Promise<EmbeddedWorkerMessage> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      worker.off('message', onMessage)
      worker.off('error', onError)
      worker.off('exit', onExit)
    }
    const onMessage = (message: EmbeddedWorkerMessage) => {
      cleanup()
      resolve(message)
    }
    const onError = (error: Error) => {
      cleanup()
      reject(error)
    }
    const onExit = (code: number) => {
      cleanup()
      reject(new Error(`the database thread exited (status ${code})`))
    }
    worker.on('message', onMessage)
    worker.on('error', onError)
    worker.on('exit', onExit)
  })
}

async function startWorker(pgdata: string): Promise<{ worker: Worker; port: number }> {
  const data: EmbeddedWorkerData = { pgdata }
  const worker = new Worker(WORKER_URL, { workerData: data })
  let message: EmbeddedWorkerMessage
  try {
    message = await nextMessage(worker)
  } catch (error) {
    await worker.terminate()
    throw new DatabaseUnavailableError(`cannot open the embedded database in ${pgdata}: ${(error as Error).message}`, { cause: error })
  }
  if (message.type === 'ready') return { worker, port: message.port }
  await worker.terminate()
  if (message.type === 'failed' && message.stage === 'serve') {
    throw new DatabaseUnavailableError(`cannot serve the embedded database: ${message.message}`)
  }
  throw new DatabaseUnavailableError(`cannot open the embedded database in ${pgdata}: ${message.type === 'failed' ? message.message : 'no answer from the database thread'}`)
}

/** Asks the thread to stop serving and close PGlite (a checkpoint), then ends it. */
async function stopWorker(worker: Worker): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<EmbeddedWorkerMessage>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the embedded database did not close within ${STOP_TIMEOUT_MS / 1000} s`)), STOP_TIMEOUT_MS)
  })
  try {
    const stopped = nextMessage(worker)
    worker.postMessage({ type: 'stop' } satisfies EmbeddedWorkerCommand)
    const message = await Promise.race([stopped, timeout])
    if (message.type === 'stopped' && message.error) throw new DatabaseUnavailableError(`closing the embedded database failed: ${message.error}`)
  } finally {
    clearTimeout(timer)
    await worker.terminate()
  }
}

/**
 * Starts PGlite on `<dataDir>/pgdata` in a worker thread, served on a loopback port so
 * that postgres.js (max: 1) reaches it exactly as it reaches a server, and the database
 * works on its own core while this thread runs the command. The data directory is locked
 * (in this thread) for the life of the process.
 */
export async function startEmbeddedServer(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const lock: DataDirLock = await lockDataDir(options.dataDir, {
    wait: options.wait,
    timeoutSeconds: options.waitTimeoutSeconds,
    command: options.command,
  })
  const pgdata = join(options.dataDir, 'pgdata')
  const created = !existsSync(join(pgdata, 'PG_VERSION'))
  if (created) options.onInitialise?.(pgdata)
  let started: { worker: Worker; port: number }
  try {
    started = await startWorker(pgdata)
  } catch (error) {
    lock.release()
    throw error
  }
  const { worker, port } = started
  let stopping = false
  let crashed = false
  const crash = (message: string) => {
    if (stopping || crashed) return
    crashed = true
    options.onCrash?.(`the embedded database in ${pgdata} stopped: ${message}`)
  }
  // Without an 'error' listener a crash of the thread would throw in this one; the
  // connection to it closes and the command's queries fail with "database unavailable".
  worker.on('error', (error) => crash(error.message))
  worker.on('exit', (code) => crash(`its thread exited (status ${code})`))
  return {
    host: '127.0.0.1',
    port,
    created,
    thread: worker,
    async stop() {
      if (stopping) return
      stopping = true
      try {
        if (!crashed) await stopWorker(worker)
        else await worker.terminate()
      } finally {
        lock.release()
      }
    },
  }
}
