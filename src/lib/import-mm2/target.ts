import { ConflictError } from '../errors.js'
import type { Sql } from '../db/sql.js'
import { importTables } from './tables.js'

/** Tables whose rows mean "this database is in use" (arch holds only our seeded defaults). */
const OCCUPANCY_TABLES = ['product', 'version', 'directory', 'category', 'site', 'host', 'repository'] as const

/** Table -> rows, for the tables that hold an installation's data. */
export async function occupiedTables(tx: Sql): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (const table of OCCUPANCY_TABLES) {
    const [{ count }] = await tx<{ count: number }[]>`select count(*)::int as count from ${tx(table)}`
    if (count > 0) counts[table] = count
  }
  return counts
}

/**
 * Refuses a database in use unless `replace`; then empties every table the import
 * writes (CASCADE also empties rows of other tables that point into them, such as crawl
 * logs of the replaced hosts). Runs inside the import's transaction.
 */
export async function prepareTarget(tx: Sql, replace: boolean): Promise<Record<string, number>> {
  const occupied = await occupiedTables(tx)
  if (Object.keys(occupied).length > 0 && !replace) {
    const what = Object.entries(occupied).map(([table, count]) => `${count} ${table}`).join(', ')
    throw new ConflictError(`the target database is not empty (${what}): pass --replace to empty it and import again`, {
      details: { occupied },
    })
  }
  const tables = importTables.map((spec) => spec.target)
  await tx.unsafe(`truncate table ${tables.map((table) => `"${table}"`).join(', ')} restart identity cascade`)
  return occupied
}

/** After inserting with explicit ids: the next id each sequence hands out is max(id) + 1. */
export async function advanceSequences(tx: Sql): Promise<void> {
  for (const { target } of importTables) {
    const [found] = await tx<{ sequence: string | null }[]>`
      select pg_get_serial_sequence(${`"${target}"`}, 'id') as sequence from information_schema.columns
      where table_schema = current_schema() and table_name = ${target} and column_name = 'id'`
    const sequence = found?.sequence
    if (!sequence) continue
    await tx.unsafe(`select setval($1, coalesce((select max(id) from "${target}"), 0) + 1, false)`, [sequence])
  }
}
