import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
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

function readOwner(path: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockOwner
  } catch {
    return undefined // unreadable or half-written: treated as stale below only if its pid is gone
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

/** Creates the lock file exclusively; false when somebody else holds it. */
function tryCreate(path: string, owner: LockOwner): boolean {
  let fd: number
  try {
    fd = openSync(path, 'wx', 0o644)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  }
  writeSync(fd, JSON.stringify(owner) + '\n')
  closeSync(fd)
  return true
}

/** Removes a lock whose owner process is gone (same machine only). */
function removeIfStale(path: string): boolean {
  const owner = readOwner(path)
  if (!owner || owner.host !== hostname() || isAlive(owner.pid)) return false
  try {
    unlinkSync(path)
  } catch {
    // somebody else removed it first; either way it is gone
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
 * a file created with O_EXCL holding the owner's pid; a lock left by a dead process on
 * this machine is taken over.
 */
export async function lockDataDir(
  dataDir: string,
  options: { wait?: boolean; timeoutSeconds?: number; command?: string } = {},
): Promise<DataDirLock> {
  mkdirSync(dataDir, { recursive: true })
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
    if (removeIfStale(path)) continue
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
