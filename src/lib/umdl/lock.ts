/**
 * One umdl at a time per database: a PostgreSQL session advisory lock. It is released by
 * the server when the session ends, so a killed run never leaves a stale lock behind.
 * On a server the lock lives on a reserved connection; the embedded database has exactly
 * one connection (and one process), which is the session.
 */
import { BusyError } from '../errors.js'
import type { Database } from '../db/connect.js'
import type { Sql } from '../db/sql.js'

/** "mmumdl" folded into a bigint-sized key; other jobs pick their own. */
export const UMDL_LOCK_KEY = 0x6d6d756d646c

/**
 * `poolMax` 1 on a server: the one connection is the session (reserving it would leave
 * nothing for the work itself).
 */
export async function withUmdlLock<T>(database: Database, work: () => Promise<T>, poolMax = 10): Promise<T> {
  const reserved = database.kind === 'server' && poolMax > 1 ? await database.sql.reserve() : undefined
  const session = (reserved ?? database.sql) as Sql
  try {
    const [{ locked }] = await session<{ locked: boolean }[]>`select pg_try_advisory_lock(${UMDL_LOCK_KEY}) as locked`
    if (!locked) {
      const holders = await session<{ pid: number; since: Date | null; client: string | null }[]>`
        select a.pid, a.backend_start as since, a.client_addr::text as client
        from pg_locks l join pg_stat_activity a on a.pid = l.pid
        where l.locktype = 'advisory' and l.granted
          and ((l.classid::bigint << 32) | l.objid::bigint) = ${UMDL_LOCK_KEY}`.catch(() => [])
      const who = holders[0] ? ` (server process ${holders[0].pid}${holders[0].since ? `, connected since ${holders[0].since.toISOString()}` : ''})` : ''
      throw new BusyError(`another umdl is running on ${database.location}${who}; try again when it has finished`)
    }
    try {
      return await work()
    } finally {
      await session`select pg_advisory_unlock(${UMDL_LOCK_KEY})`.catch(() => {})
    }
  } finally {
    reserved?.release()
  }
}
