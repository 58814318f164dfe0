import { existsSync, lstatSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import { DatabaseUnavailableError } from '../errors.js'
import { lockDataDir, type DataDirLock } from './data-dir-lock.js'
import { PRIVATE_DIR_MODE, privateDirectory, restrictTree } from './data-dir-permissions.js'

/**
 * Start-up cost of the embedded database, measured with --cpu-prof (bench/cli): most of
 * it was PostgreSQL zeroing its 128 MB of shared buffers (memset in WebAssembly: ~1.2 s of
 * a 2.3 s `db status`) and V8 compiling the hot WebAssembly functions a second time with
 * its optimising compiler (TurboFan) on background threads (~0.8 s of CPU per command on
 * two cores). 32 MB of buffers (4096 pages: the whole database of a mid-size mirror
 * network; the kernel's page cache holds the rest) and the baseline compiler only
 * (Liftoff) halve a command's start and its memory (250 -> 150 MB RSS). Liftoff code
 * answered a 200,000-row scan and sort as fast as tiered code on this 2-core machine:
 * the optimising compiler's work never paid for itself in a CLI command.
 */
const SHARED_BUFFERS = '32MB'

/** Liftoff only, for every WebAssembly module compiled from now on (PGlite's is compiled in PGlite.create). */
function useBaselineWasmCompiler(): void {
  setFlagsFromString('--liftoff-only')
}

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
  /** Warnings: a stale lock taken over, permissions repaired. */
  warn?: (message: string) => void
}

/**
 * pgdata 0700 and everything in it private (data-dir-permissions.ts); an existing
 * directory that was not is repaired, with a warning: it was readable by other users.
 * A pgdata that is 0700 already keeps everyone else out of what is inside, whatever the
 * files' own modes, so it is not walked here (1,200 entries: ~20 ms of every command); the
 * walk at close (shutDown) keeps the files 0600.
 */
function makePrivate(pgdata: string, created: boolean, warn?: (message: string) => void): void {
  if (created) {
    privateDirectory(pgdata)
    return
  }
  if ((lstatSync(pgdata).mode & 0o777) === PRIVATE_DIR_MODE) return
  const changed = restrictTree(pgdata)
  if (changed > 0) {
    warn?.(`the embedded database in ${pgdata} was readable by other users: made ${changed} files and directories private (0600/0700)`)
  }
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
    warn: options.warn,
  })
  const pgdata = join(dataDir, 'pgdata')
  const created = !existsSync(join(pgdata, 'PG_VERSION'))
  let db: PGlite
  try {
    // From here every failure releases the lock (shutDown), whatever throws: callbacks included.
    if (created) options.onInitialise?.(pgdata)
    makePrivate(pgdata, created, options.warn)
    useBaselineWasmCompiler()
    db = await PGlite.create({
      dataDir: pgdata,
      startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${SHARED_BUFFERS}`],
    })
    // PGlite writes its initial files 0666 whatever the umask
    if (created) restrictTree(pgdata)
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
    stop: () => shutDown(lock, db, server, pgdata),
  }
}

/**
 * Stops what was started, last first: the socket server, then PGlite; the data-directory
 * lock is released whatever fails, so a failed start or stop never leaves it held.
 */
async function shutDown(lock: DataDirLock, db?: PGlite, server?: PGLiteSocketServer, pgdata?: string): Promise<void> {
  try {
    try {
      await server?.stop()
    } finally {
      await db?.close()
    }
    try {
      if (pgdata) restrictTree(pgdata) // files PostgreSQL rewrote while we ran (pg_internal.init comes out 0644)
    } catch {
      // best effort: the next open repairs (and reports) what is left
    }
  } finally {
    lock.release()
  }
}
