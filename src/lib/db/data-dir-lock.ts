import { linkSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { DataDirLockedError } from '../errors.js'

export interface LockOwner {
  pid: number
  host: string
  command: string
  since: string
}

export interface DataDirLock {
  readonly path: string
  release(): void
}

export const LOCK_FILE = 'mirrormanager.lock'

/**
 * A lock file that does not parse (empty, garbled, unreadable) is taken over only when it
 * is older than this: our writers never leave one (the file appears with its content,
 * tryCreate), but an older version wrote the pid after creating the file.
 */
export const UNREADABLE_LOCK_GRACE_MS = 5_000

function readOwner(path: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner> | null
    return owner && Number.isInteger(owner.pid) && typeof owner.host === 'string' ? (owner as LockOwner) : undefined
  } catch {
    return undefined
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Creates the lock file, atomically with its content: written to a private name, then
 * hard-linked to the lock name (link fails when the name exists, like O_EXCL). A reader
 * never sees the lock file without the owner's pid in it.
 */
function tryCreate(path: string, owner: LockOwner): boolean {
  const staging = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`
  writeFileSync(staging, JSON.stringify(owner) + '\n', { mode: 0o600, flag: 'wx' })
  try {
    linkSync(staging, path)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  } finally {
    unlinkSync(staging)
  }
}

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path)
  } catch {
    return undefined
  }
}

/** Why the lock at `path` may be taken over, or undefined when its owner may be alive. */
function staleReason(path: string, nowMs: number): { reason: string; file: Stats } | undefined {
  const file = statOf(path)
  if (!file) return undefined
  const owner = readOwner(path)
  if (owner) {
    if (owner.host !== hostname() || isAlive(owner.pid)) return undefined
    return { reason: `process ${owner.pid} (${owner.command}) is gone`, file }
  }
  // (an mtime far in the future is a clock jump, not a writer at work)
  if (Math.abs(nowMs - file.mtimeMs) < UNREADABLE_LOCK_GRACE_MS) return undefined
  return { reason: file.size === 0 ? 'the lock file was empty' : 'the lock file was unreadable', file }
}

/**
 * Takes over a stale lock: moves it aside under a private name first, so of two processes
 * taking it over at once only one gets it; if what was moved is not the file judged stale
 * (somebody took over and locked in between), it is put back.
 */
function takeOverIfStale(path: string, warn: (message: string) => void): boolean {
  const stale = staleReason(path, Date.now())
  if (!stale) return false
  const aside = `${path}.stale-${process.pid}`
  try {
    renameSync(path, aside)
  } catch {
    return true // somebody else moved it first: try to lock again
  }
  const moved = statOf(aside)
  if (moved && (moved.ino !== stale.file.ino || moved.dev !== stale.file.dev)) {
    try {
      linkSync(aside, path) // a fresh lock: give it back
    } catch {
      // its name was taken again meanwhile: the owner of that lock holds it
    }
  } else {
    warn(`taking over the lock of the embedded database (${path}): ${stale.reason}`)
  }
  try {
    unlinkSync(aside)
  } catch {
    // already gone
  }
  return true
}

function lockedMessage(dataDir: string, owner: LockOwner | undefined): string {
  const who = owner
    ? `process ${owner.pid} on ${owner.host} (${owner.command}, since ${owner.since})`
    : 'another process'
  return (
    `the embedded database in ${dataDir} is in use by ${who}. ` +
    'The embedded database allows one process at a time: wait for it to finish, ' +
    'run with --wait, or use a PostgreSQL server (DATABASE_URL) for concurrent jobs.'
  )
}

/**
 * Two processes must never open the same PGlite directory: that corrupts it. The lock is
 * a file created atomically with the owner's pid in it; a lock left by a dead process on
 * this machine, or one that is empty or garbled and not new, is taken over (with a warning).
 */
export async function lockDataDir(
  dataDir: string,
  options: { wait?: boolean; timeoutSeconds?: number; command?: string; warn?: (message: string) => void } = {},
): Promise<DataDirLock> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const path = join(dataDir, LOCK_FILE)
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    command: options.command ?? process.argv.slice(1).join(' '),
    since: new Date().toISOString(),
  }
  const deadline = Date.now() + (options.timeoutSeconds ?? 600) * 1000
  for (;;) {
    if (tryCreate(path, owner)) break
    if (takeOverIfStale(path, options.warn ?? (() => {}))) continue
    if (!options.wait || Date.now() >= deadline) {
      throw new DataDirLockedError(lockedMessage(dataDir, readOwner(path)), { details: { dataDir } })
    }
    await sleep(250)
  }
  let released = false
  return {
    path,
    release() {
      if (released) return
      released = true
      const current = readOwner(path)
      if (current?.pid === process.pid) {
        try {
          unlinkSync(path)
        } catch {
          // already gone
        }
      }
    },
  }
}
