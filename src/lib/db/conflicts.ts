import { ConflictError } from '../errors.js'
import { inTransaction, type Sql } from './sql.js'

/**
 * Runs a write and turns a unique violation into a ConflictError with a message people
 * understand ("site "x" already exists") instead of the constraint name.
 */
export async function uniquely<T>(write: Promise<T>, message: string): Promise<T> {
  try {
    return await write
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new ConflictError(message, { cause: error })
    throw error
  }
}

/** The defined entries of a change set: undefined means "leave as it is". */
export function definedChanges<T extends object>(changes: T): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<T>
}

/**
 * Runs `work` in a transaction, or directly in the caller's transaction when `sql`
 * already is one (postgres.js transactions have `savepoint`, not `begin`): library
 * operations stay atomic on their own and compose into bigger ones.
 */
export async function atomically<T>(sql: Sql, work: (tx: Sql) => Promise<T>): Promise<T> {
  if (typeof (sql as { savepoint?: unknown }).savepoint === 'function') return work(sql)
  return inTransaction(sql, work)
}
