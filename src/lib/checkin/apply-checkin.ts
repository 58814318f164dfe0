import { inTransaction, type Sql } from '../db/sql.js'
import type { CategoryReport, CheckinPayload } from './payload.js'

export interface CategoryCheckinResult {
  /** The category's name as the database spells it. */
  readonly category: string
  /** Reported directories the host already had: marked up to date. */
  readonly updated: number
  /** Reported directories of the master tree the host did not have: added, up to date. */
  readonly added: number
  /** Directories the host had but no longer reports: removed. */
  readonly deleted: number
}

interface HostCategoryRow {
  id: number
  name: string
  topdir: string | null
}

/**
 * Applies a check-in for an authenticated host, all of it in one transaction: for each
 * reported category the host carries (names matched case-insensitively), directories it
 * had and still reports are marked up to date, directories of the master tree it now
 * reports are added, directories it no longer reports are removed; unknown directories
 * are ignored. Categories the host does not carry are ignored. Then `user_active` (when
 * sent) and `last_checked_in`.
 */
export async function applyCheckin(sql: Sql, hostId: number, payload: CheckinPayload): Promise<CategoryCheckinResult[]> {
  return inTransaction(sql, async (tx) => {
    // Lock the host row: two check-ins of one host are applied one after the other.
    await tx`select id from host where id = ${hostId} for update`
    const carried = await tx<HostCategoryRow[]>`
      select hc.id, c.name, d.name as topdir
      from host_category hc
      join category c on c.id = hc.category_id
      left join directory d on d.id = c.topdir_id
      where hc.host_id = ${hostId}`
    const byName = new Map(carried.map((row) => [row.name.toLowerCase(), row]))
    const results: CategoryCheckinResult[] = []
    for (const report of payload.categories) {
      const hostCategory = byName.get(report.key.toLowerCase())
      if (hostCategory) results.push(await applyCategory(tx, hostCategory, report))
    }
    await tx`
      update host set
        last_checked_in = now(),
        user_active = coalesce(${payload.userActive ?? null}::boolean, user_active)
      where id = ${hostId}`
    return results
  })
}

async function applyCategory(tx: Sql, hostCategory: HostCategoryRow, report: CategoryReport): Promise<CategoryCheckinResult> {
  const paths = tx.array([...report.paths])
  const deleted = await tx`
    delete from host_category_dir
    where host_category_id = ${hostCategory.id} and not (path = any(${paths}::text[]))`
  const updated = await tx`
    update host_category_dir set up2date = true, last_checked = now()
    where host_category_id = ${hostCategory.id} and path = any(${paths}::text[])`
  // A reported directory is added when the master tree has it: the category's top
  // directory, or top/path. A directory row the host has under another path spelling is
  // left alone (on conflict) rather than duplicated.
  const added = hostCategory.topdir
    ? await tx`
        insert into host_category_dir (host_category_id, directory_id, path, up2date, last_checked)
        select ${hostCategory.id}, d.id, reported.path, true, now()
        from unnest(${paths}::text[]) as reported (path)
        join directory d on d.name = case when reported.path = '' then ${hostCategory.topdir}
                                          else ${hostCategory.topdir} || '/' || reported.path end
        where not exists (select 1 from host_category_dir h
                          where h.host_category_id = ${hostCategory.id} and h.path = reported.path)
        on conflict (host_category_id, directory_id) do nothing`
    : { count: 0 }
  return { category: hostCategory.name, updated: updated.count, added: added.count, deleted: deleted.count }
}

/** The reply line of one category, spaced exactly as MirrorManager has always sent it. */
export function categoryReplyLine(result: CategoryCheckinResult): string {
  return `Category ${result.category} directories updated: ${result.updated}  added: ${result.added}  deleted ${result.deleted}`
}
