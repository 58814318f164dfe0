/** Writes a category plan's directories: multi-row statements, in batches. */
import type { Sql } from '../db/sql.js'
import type { CategoryRow } from './category-store.js'
import type { CategoryPlan } from './plan.js'

const BATCH = 1000

function chunks<T>(items: readonly T[], size = BATCH): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

export function fullName(category: CategoryRow, path: string): string {
  return path === '' ? category.topdirName : `${category.topdirName}/${path}`
}

/** Upserts new and changed directories, links them to the category; returns path -> id. */
export async function writeDirectories(tx: Sql, category: CategoryRow, plan: CategoryPlan): Promise<Map<string, number>> {
  const ids = new Map<string, number>()
  const prefixLength = category.topdirName.length + 1
  for (const batch of chunks(plan.upserts)) {
    const rows = batch.map((upsert) => ({
      name: fullName(category, upsert.path),
      ctime: upsert.ctime,
      readable: upsert.readable,
      files: upsert.files,
    }))
    // One jsonb parameter per batch instead of four per row: far less protocol and
    // planning work, which matters most on the embedded (WebAssembly) database.
    const written = await tx<{ id: number; name: string }[]>`
      insert into directory (name, ctime, readable, files)
      select name, ctime, readable, files
      from jsonb_to_recordset(${tx.json(rows as never)}::jsonb) as row(name text, ctime bigint, readable boolean, files jsonb)
      on conflict (name) do update set ctime = excluded.ctime, readable = excluded.readable, files = excluded.files
      returning id, name`
    for (const row of written) ids.set(row.name === category.topdirName ? '' : row.name.slice(prefixLength), row.id)
    // New directories are linked; so is the top (it exists before the category has any links).
    const newIds = batch.filter((upsert) => upsert.isNew || upsert.path === '').map((upsert) => ids.get(upsert.path)!)
    if (newIds.length > 0) {
      await tx`
        insert into category_directory (category_id, directory_id)
        select ${category.id}, unnest(${newIds}::int[])
        on conflict do nothing`
    }
  }
  for (const readable of [true, false]) {
    const changed = plan.readableChanges.filter((change) => change.readable === readable).map((change) => change.id)
    for (const batch of chunks(changed, 10_000)) await tx`update directory set readable = ${readable} where id = any(${batch}::int[])`
  }
  return ids
}

/**
 * Removes directories gone from the master from the category, and deletes them (with
 * everything referencing them) unless another category still has them or one is a top.
 */
export async function deleteGoneDirectories(tx: Sql, category: CategoryRow, plan: CategoryPlan): Promise<number> {
  let deleted = 0
  for (const batch of chunks(plan.gone.map((gone) => gone.id), 10_000)) {
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
