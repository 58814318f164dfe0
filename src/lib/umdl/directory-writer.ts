/**
 * Writes a category's directories while the scan goes on: the scan hands each directory
 * to the writer (its sink), the writer plans it and sends new and changed ones in
 * batches, one statement per batch, with one batch in flight — the database works on
 * batch n while the scan walks on towards batch n + 1. Everything happens inside the
 * category's transaction, so a failure anywhere leaves the database unchanged.
 */
import type { Sql } from '../db/sql.js'
import type { CategoryRow } from './category-store.js'
import type { CategoryPlan, CategoryPlanner, DirectoryUpsert } from './plan.js'
import type { DirectorySink, FileDetailCandidate, ScannedDirectory } from './scan-types.js'
import { directoryInCategory } from '../catalog/category-path.js'
import { isRepodataPath, repositoryPathOf } from '../master/repodata-path.js'

/** Directories per statement, and a cap on the file entries they carry (the jsonb parameter's size). */
const BATCH_DIRECTORIES = 1000
const BATCH_FILES = 20_000
const ID_BATCH = 10_000
/** Rows a routine run sends as soon as the database is idle (see DirectoryBatchWriter). */
export const ROUTINE_RUN_EAGER_ROWS = 100

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

export function fullName(category: CategoryRow, path: string): string {
  return directoryInCategory(category.topdirName, path)
}

/** The repository directory a new or changed repodata directory with a repomd.xml stands for, else null. */
export function repositoryDirectoryOf(upsert: Pick<DirectoryUpsert, 'path' | 'files'>): string | null {
  if (!isRepodataPath(upsert.path)) return null
  if (!upsert.files.some((file) => file.name === 'repomd.xml')) return null
  return repositoryPathOf(upsert.path)
}

interface DirectoryRow {
  name: string
  ctime: number
  readable: boolean
  files: DirectoryUpsert['files']
  /** New to the category (or the top, which exists before it has any links): link it. */
  link: boolean
}

export class DirectoryBatchWriter {
  directoriesNew = 0
  directoriesChanged = 0
  /** File details of the changed directories, stored once every directory has its id. */
  readonly fileDetails: FileDetailCandidate[] = []
  /** Repository directories (relative paths) whose repodata is new or changed. */
  readonly repositoryPaths: string[] = []
  /** Time the scan spent waiting for the database (debug log: is the walk or the database the bottleneck?). */
  waitedMs = 0
  private rows: DirectoryRow[] = []
  private files = 0
  private inFlight: Promise<void> = Promise.resolve()
  /** The last batch is written (and did not fail): the database has nothing to do. */
  private idle = true

  /**
   * `eagerRows`: send a batch as soon as it has this many rows and the database is idle,
   * instead of waiting for a full one. A routine run changes a few hundred directories
   * spread over the walk: sent as they come, a server writes them while the walk goes
   * on, not all after its end (the embedded database, in this thread, writes them
   * between steps of the walk: no gain, no loss). A first run leaves it off: there the
   * database is the slower side and full batches cost less per row.
   */
  constructor(
    private readonly tx: Sql,
    private readonly category: CategoryRow,
    private readonly planner: CategoryPlanner,
    private readonly eagerRows = Infinity,
  ) {}

  /** The scan's sink: plans the directory; waits only when a batch is full and the previous one is still being written. */
  readonly add: DirectorySink = (directory: ScannedDirectory) => {
    const upsert = this.planner.add(directory)
    if (!upsert) return undefined
    if (upsert.isNew) this.directoriesNew++
    else this.directoriesChanged++
    if (directory.fileDetails) this.fileDetails.push(...directory.fileDetails)
    const repository = repositoryDirectoryOf(upsert)
    if (repository !== null) this.repositoryPaths.push(repository)
    this.rows.push({ name: fullName(this.category, upsert.path), ctime: upsert.ctime, readable: upsert.readable, files: upsert.files, link: upsert.isNew || upsert.path === '' })
    this.files += upsert.files.length
    if (this.rows.length >= BATCH_DIRECTORIES || this.files >= BATCH_FILES) return this.flush()
    if (this.idle && this.rows.length >= this.eagerRows) this.send()
    return undefined
  }

  /** Writes what is left and the readable changes; throws the first failed batch's error. */
  async finish(): Promise<void> {
    await this.flush()
    await this.inFlight
    await writeReadableChanges(this.tx, this.planner.readableChanges)
  }

  /** Waits for the batch in flight (throws its error), then sends what is pending. */
  private async flush(): Promise<void> {
    const waitStarted = performance.now()
    await this.inFlight
    this.waitedMs += performance.now() - waitStarted
    if (this.rows.length > 0) this.send()
  }

  /** Sends the pending rows; call only when no batch is in flight. */
  private send(): void {
    const rows = this.rows
    this.rows = []
    this.files = 0
    this.idle = false
    this.inFlight = writeDirectoryRows(this.tx, this.category, rows).then(() => {
      this.idle = true
    })
    this.inFlight.catch(() => {}) // handled: the next flush() or finish() awaits it and throws
  }
}

/**
 * Upserts a batch of directories and links the new ones to the category, in one
 * statement: the rows travel as one jsonb parameter (far less protocol and planning work
 * than parameters per row, which matters most on the embedded WebAssembly database) and
 * no ids come back.
 */
async function writeDirectoryRows(tx: Sql, category: CategoryRow, rows: readonly DirectoryRow[]): Promise<void> {
  await tx`
    with incoming as (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb)
        as incoming(name text, ctime bigint, readable boolean, files jsonb, link boolean)
    ), written as (
      insert into directory (name, ctime, readable, files)
      select name, ctime, readable, files from incoming
      on conflict (name) do update set ctime = excluded.ctime, readable = excluded.readable, files = excluded.files
      returning id, name
    )
    insert into category_directory (category_id, directory_id)
    select ${category.id}, written.id from written join incoming using (name)
    where incoming.link
    on conflict do nothing`
}

async function writeReadableChanges(tx: Sql, changes: CategoryPlan['readableChanges']): Promise<void> {
  for (const readable of [true, false]) {
    const changed = changes.filter((change) => change.readable === readable).map((change) => change.id)
    for (const batch of chunks(changed, ID_BATCH)) await tx`update directory set readable = ${readable} where id = any(${batch}::int[])`
  }
}

/** Ids of the category's directories at these relative paths (those that exist). */
export async function directoryIds(tx: Sql, category: CategoryRow, paths: readonly string[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>()
  const wanted = [...new Set(paths)]
  for (const batch of chunks(wanted, ID_BATCH)) {
    const names = batch.map((path) => fullName(category, path))
    const rows = await tx<{ id: number; name: string }[]>`select id, name from directory where name = any(${names}::text[])`
    const prefixLength = category.topdirName.length + 1
    for (const row of rows) ids.set(row.name === category.topdirName ? '' : row.name.slice(prefixLength), row.id)
  }
  return ids
}

/**
 * Removes directories gone from the master from the category, and deletes them (with
 * everything referencing them) unless another category still has them or one is a top.
 */
export async function deleteGoneDirectories(tx: Sql, category: CategoryRow, gone: CategoryPlan['gone']): Promise<number> {
  let deleted = 0
  for (const batch of chunks(gone.map((directory) => directory.id), ID_BATCH)) {
    await tx`delete from category_directory where category_id = ${category.id} and directory_id = any(${batch}::int[])`
    const rows = await tx`
      delete from directory d
      where d.id = any(${batch}::int[])
        and not exists (select 1 from category_directory cd where cd.directory_id = d.id)
        and not exists (select 1 from category c where c.topdir_id = d.id)
      returning d.id`
    deleted += rows.length
  }
  return deleted
}
