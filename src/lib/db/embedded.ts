import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import { DatabaseUnavailableError } from '../errors.js'
import { lockDataDir, type DataDirLock } from './data-dir-lock.js'

export interface EmbeddedServer {
  readonly host: string
  readonly port: number
  /** True when this start created the database (initdb ran). */
  readonly created: boolean
  stop(): Promise<void>
}

export interface EmbeddedOptions {
  dataDir: string
  wait?: boolean
  waitTimeoutSeconds?: number
  command?: string
  /** Called once before a slow first-time initialisation, so people know why they wait. */
  onInitialise?: (pgdata: string) => void
}

/**
 * Starts PGlite on `<dataDir>/pgdata`, served in-process on a loopback port so that
 * postgres.js (max: 1) reaches it exactly as it reaches a server. The data directory is
 * locked for the life of the process.
 */
export async function startEmbeddedServer(options: EmbeddedOptions): Promise<EmbeddedServer> {
  // Absolute: PGlite opens its files as it needs them, and a umdl walk moves the working
  // directory (scan-directory.ts).
  const dataDir = resolve(options.dataDir)
  const lock: DataDirLock = await lockDataDir(dataDir, {
    wait: options.wait,
    timeoutSeconds: options.waitTimeoutSeconds,
    command: options.command,
  })
  const pgdata = join(dataDir, 'pgdata')
  const created = !existsSync(join(pgdata, 'PG_VERSION'))
  if (created) options.onInitialise?.(pgdata)
  let db: PGlite
  try {
    db = await PGlite.create({ dataDir: pgdata })
  } catch (error) {
    await shutDown(lock).catch(() => undefined)
    throw new DatabaseUnavailableError(`cannot open the embedded database in ${pgdata}: ${(error as Error).message}`, {
      cause: error,
    })
  }
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 })
  try {
    await server.start()
  } catch (error) {
    await shutDown(lock, db).catch(() => undefined)
    throw new DatabaseUnavailableError(`cannot serve the embedded database: ${(error as Error).message}`, { cause: error })
  }
  // The socket server keeps its net.Server private; the bound port is only on it.
  const address = (server as unknown as { server: import('node:net').Server }).server.address()
  if (!address || typeof address === 'string') {
    await shutDown(lock, db, server).catch(() => undefined)
    throw new DatabaseUnavailableError('embedded database has no TCP address')
  }
  return {
    host: '127.0.0.1',
    port: address.port,
    created,
    stop: () => shutDown(lock, db, server),
  }
}

/**
 * Stops what was started, last first: the socket server, then PGlite; the data-directory
 * lock is released whatever fails, so a failed start or stop never leaves it held.
 */
async function shutDown(lock: DataDirLock, db?: PGlite, server?: PGLiteSocketServer): Promise<void> {
  try {
    try {
      await server?.stop()
    } finally {
      await db?.close()
    }
  } finally {
    lock.release()
  }
}
