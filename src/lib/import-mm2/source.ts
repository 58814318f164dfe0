import postgres from 'postgres'
import { DatabaseUnavailableError, ValidationError } from '../errors.js'
import { redactUrl } from '../db/connect.js'
import type { SourceRow } from './table-spec.js'

/**
 * The MirrorManager2 database, read-only, through its own single connection. Everything
 * is read inside one repeatable-read transaction, so the copy is a consistent picture
 * even while MirrorManager2 keeps running.
 */
export interface SourceReader {
  /** Table name -> its column names (public schema). */
  columns: Map<string, Set<string>>
  count(table: string): Promise<number>
  /** Rows of `table` in batches, in `orderBy` order; only `columns` that exist are selected. */
  batches(table: string, columns: string[], orderBy: string[], batchSize: number): AsyncIterable<SourceRow[]>
  rows(query: string): Promise<SourceRow[]>
}

const keep = (value: string) => value
/**
 * Dates and times are copied as PostgreSQL wrote them, never through a JavaScript Date
 * (which would shift them by the local time zone). MirrorManager2 wrote its
 * `timestamp without time zone` columns in UTC (datetime.utcnow), so they get a `+00`.
 */
const passThroughTimes = {
  date: { to: 1082, from: [1082, 1184], serialize: keep, parse: keep },
  utcTimestamp: { to: 1114, from: [1114], serialize: keep, parse: (value: string) => `${value}+00` },
}

function checkSourceUrl(url: string): void {
  let protocol = ''
  try {
    protocol = new URL(url).protocol
  } catch {
    // reported below
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new ValidationError(`--from must be a postgres:// URL of the MirrorManager2 database, not ${JSON.stringify(redactUrl(url))}`, { field: 'from' })
  }
}

export async function withSource<T>(url: string, connectTimeout: number, work: (source: SourceReader) => Promise<T>): Promise<T> {
  checkSourceUrl(url)
  const sql = postgres(url, {
    max: 1,
    connect_timeout: connectTimeout,
    onnotice: () => {},
    connection: { application_name: 'mirrormanager import-mm2' },
    types: passThroughTimes,
  })
  try {
    try {
      await sql`select 1`
    } catch (error) {
      throw new DatabaseUnavailableError(`cannot reach the MirrorManager2 database at ${redactUrl(url)}: ${(error as Error).message}`, {
        cause: error,
      })
    }
    return (await sql.begin('isolation level repeatable read read only', async (tx) => work(await reader(tx)))) as T
  } finally {
    await sql.end({ timeout: 5 })
  }
}

async function reader(tx: postgres.TransactionSql): Promise<SourceReader> {
  const rows = await tx<{ table_name: string; column_name: string }[]>`
    select table_name, column_name from information_schema.columns
    where table_schema = 'public' order by table_name, ordinal_position`
  const columns = new Map<string, Set<string>>()
  for (const row of rows) {
    if (!columns.has(row.table_name)) columns.set(row.table_name, new Set())
    columns.get(row.table_name)!.add(row.column_name)
  }
  return {
    columns,
    async count(table) {
      const [{ count }] = await tx<{ count: number }[]>`select count(*)::int as count from ${tx(table)}`
      return count
    },
    async *batches(table, wanted, orderBy, batchSize) {
      const present = wanted.filter((column) => columns.get(table)?.has(column))
      const query = `select ${present.map(quoteIdentifier).join(', ')} from ${quoteIdentifier(table)} order by ${orderBy.map(quoteIdentifier).join(', ')}`
      for await (const batch of tx.unsafe<SourceRow[]>(query).cursor(batchSize)) yield batch
    },
    rows: (query) => tx.unsafe(query) as unknown as Promise<SourceRow[]>,
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}
