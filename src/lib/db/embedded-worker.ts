/**
 * The embedded database's thread: PGlite (WebAssembly) on `<dataDir>/pgdata`, served on a
 * loopback port by pglite-socket. Running it here instead of in the main thread lets the
 * database work in parallel with the command (umdl's planning, postgres.js, the JSON of
 * batched parameters), on its own core. The data-directory lock stays in the main thread
 * (embedded.ts), which starts this worker only once it holds the lock.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { Server } from 'node:net'
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'

export interface EmbeddedWorkerData {
  pgdata: string
}

/** Worker to main thread. */
export type EmbeddedWorkerMessage =
  | { type: 'ready'; port: number }
  | { type: 'failed'; stage: 'open' | 'serve'; message: string }
  | { type: 'stopped'; error?: string }

/** Main thread to worker. */
export type EmbeddedWorkerCommand = { type: 'stop' }

async function serve(pgdata: string, post: (message: EmbeddedWorkerMessage) => void): Promise<(() => Promise<void>) | undefined> {
  let db: PGlite
  try {
    db = await PGlite.create({ dataDir: pgdata })
  } catch (error) {
    post({ type: 'failed', stage: 'open', message: (error as Error).message })
    return undefined
  }
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 })
  try {
    await server.start()
  } catch (error) {
    await db.close()
    post({ type: 'failed', stage: 'serve', message: (error as Error).message })
    return undefined
  }
  // The socket server keeps its net.Server private; the bound port is only on it.
  const address = (server as unknown as { server: Server }).server.address()
  if (!address || typeof address === 'string') {
    await server.stop()
    await db.close()
    post({ type: 'failed', stage: 'serve', message: 'the socket server has no TCP address' })
    return undefined
  }
  post({ type: 'ready', port: address.port })
  return async () => {
    try {
      await server.stop()
    } finally {
      await db.close()
    }
  }
}

if (parentPort) {
  const port = parentPort
  const post = (message: EmbeddedWorkerMessage) => port.postMessage(message)
  const stop = await serve((workerData as EmbeddedWorkerData).pgdata, post)
  if (stop) {
    port.once('message', (command: EmbeddedWorkerCommand) => {
      if (command.type !== 'stop') return
      stop().then(
        () => post({ type: 'stopped' }),
        (error: Error) => post({ type: 'stopped', error: error.message }),
      )
    })
  }
}
