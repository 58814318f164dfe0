import postgres from 'postgres'

/**
 * The database handle every query function takes: the pool, or a transaction's `tx`
 * (a TransactionSql is an Sql), so one function serves both.
 */
export type Sql = postgres.Sql<{ bigint: number }>
export type TransactionSql = postgres.TransactionSql<{ bigint: number }>

/** Runs `work` in one transaction: all of it is applied, or none. */
export async function inTransaction<T>(sql: Sql, work: (tx: Sql) => Promise<T>): Promise<T> {
  // Already in a transaction (`mirrormanager batch` hands commands its own): a savepoint,
  // so the work is still all or nothing and the outer transaction decides.
  const savepoint = (sql as unknown as { savepoint?: (work: (tx: unknown) => Promise<unknown>) => Promise<unknown> }).savepoint
  if (typeof savepoint === 'function') return (await savepoint.call(sql, (tx) => work(tx as Sql))) as T
  return (await sql.begin((tx) => work(tx as unknown as Sql))) as T
}

/** snake_case -> camelCase exactly as the connection's column transform (postgres.camel) renames. */
export const toCamel: (name: string) => string = postgres.toCamel
