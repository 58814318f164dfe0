/**
 * Vacuuming after a command's writes, on the embedded database.
 *
 * PGlite runs no autovacuum: without this, every updated or deleted row of the embedded
 * database stays behind as a dead tuple for good (a routine umdl run updates a few
 * hundred directory rows, a crawl its host_category_dir rows), tables and indexes only
 * grow, and no page is ever marked all-visible, so no index-only scan is possible. A
 * server's autovacuum does this work itself, in the background: nothing to do there.
 *
 * VACUUM cannot run inside a transaction: call this once the writes have committed.
 * Cost, measured on the bench tree (55,551 directories): 9–15 ms after a routine umdl
 * run that changed ~550 of them (only pages that are not all-visible are read), up to
 * ~0.2 s once after a first run (every page is new).
 */
import type { Database } from './connect.js'

/** Tables that may be vacuumed: names only from here, never from input. */
export type VacuumedTable = 'directory' | 'category_directory' | 'file_detail' | 'host_category_dir' | 'host' | 'host_reachability' | 'host_crawl_log'

/** Vacuums the tables on the embedded database (no-op on a server); returns whether it did. */
export async function vacuumAfterWrites(database: Pick<Database, 'sql' | 'kind'>, tables: readonly VacuumedTable[]): Promise<boolean> {
  if (database.kind !== 'embedded' || tables.length === 0) return false
  await database.sql.unsafe(`vacuum ${[...new Set(tables)].join(', ')}`)
  return true
}
