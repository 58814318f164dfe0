/**
 * Writes one host's crawl in one transaction: up-to-date state per host category
 * directory, the host's crawl fields (with auto-disable after N consecutive failures
 * and re-enable of a host the crawler itself disabled once it succeeds again),
 * per-family reachability and the crawl log entry (older entries pruned).
 */
import { inTransaction, type Sql } from '../db/sql.js'
import { summarizeCategory } from './crawl-log.js'
import type { CategoryOutcome, HostCrawlResult } from './types.js'

export const AUTO_DISABLE_PREFIX = 'crawler:'

export interface StoreOptions {
  disableAfter: number
  logKeep: number
}

async function storeCategory(tx: Sql, outcome: CategoryOutcome): Promise<void> {
  const hostCategoryId = outcome.hostCategoryId
  if (outcome.status === 'canary-ok') return
  if (outcome.status === 'unreachable') {
    await tx`update host_category_dir set up2date = false, last_checked = now() where host_category_id = ${hostCategoryId} and up2date`
    return
  }
  const confirmed = [...outcome.verdicts].filter(([, verdict]) => verdict === 'up2date').map(([id]) => id)
  const stale = [...outcome.verdicts].filter(([, verdict]) => verdict === 'stale').map(([id]) => id)
  if (confirmed.length > 0) {
    // Rows for newly confirmed directories are created; path is relative to the category top.
    await tx`
      insert into host_category_dir (host_category_id, directory_id, path, up2date, last_checked)
      select ${hostCategoryId}, d.id,
             mm_path_in_category(d.name, t.name),
             true, now()
      from directory d, host_category hc join category c on c.id = hc.category_id left join directory t on t.id = c.topdir_id
      where hc.id = ${hostCategoryId} and d.id = any(${confirmed}::int[])
      on conflict (host_category_id, directory_id) do update set up2date = true, last_checked = excluded.last_checked`
  }
  if (outcome.complete) {
    // After a full crawl of the category, whatever was not confirmed is not up to date.
    await tx`
      update host_category_dir set up2date = false, last_checked = now()
      where host_category_id = ${hostCategoryId} and not (directory_id = any(${confirmed}::int[]))`
  } else if (stale.length > 0) {
    await tx`
      update host_category_dir set up2date = false, last_checked = now()
      where host_category_id = ${hostCategoryId} and directory_id = any(${stale}::int[])`
  }
}

async function storeHost(tx: Sql, crawl: HostCrawlResult, options: StoreOptions): Promise<boolean> {
  const duration = Math.round((crawl.finished.getTime() - crawl.started.getTime()) / 1000)
  const ok = crawl.result === 'ok'
  const failures = ok ? 0 : crawl.host.crawlFailures + 1
  const disable = !ok && options.disableAfter > 0 && failures >= options.disableAfter
  const reason = `${AUTO_DISABLE_PREFIX} disabled after ${failures} consecutive failed crawls (last: ${crawl.result}, ${crawl.finished.toISOString()})`
  const [row] = await tx<{ crawlFailures: number; userActive: boolean }[]>`
    update host set
      last_crawled = ${crawl.finished},
      last_crawl_duration = ${duration},
      last_crawl_result = ${crawl.result},
      crawl_failures = case when ${ok} then 0 else crawl_failures + 1 end,
      user_active = case
        when ${disable} and user_active then false
        when ${ok} and disable_reason like ${AUTO_DISABLE_PREFIX + '%'} then true
        else user_active end,
      disable_reason = case
        when ${disable} and user_active then ${reason}
        when ${ok} and disable_reason like ${AUTO_DISABLE_PREFIX + '%'} then null
        else disable_reason end
    where id = ${crawl.host.id}
    returning crawl_failures, user_active`
  return disable && row !== undefined && !row.userActive
}

async function storeFamilies(tx: Sql, crawl: HostCrawlResult): Promise<void> {
  for (const family of crawl.families) {
    await tx`
      insert into host_reachability (host_id, family, protocol, address, reachable, error, checked_at)
      values (${crawl.host.id}, ${family.family}, ${family.protocol}, ${family.address}, ${family.reachable}, ${family.error}, now())
      on conflict (host_id, family, protocol) do update set
        address = excluded.address, reachable = excluded.reachable, error = excluded.error, checked_at = excluded.checked_at`
  }
}

async function storeLog(tx: Sql, crawl: HostCrawlResult, keep: number): Promise<void> {
  const details = crawl.categories.map(summarizeCategory)
  const summary = [crawl.message, ...details.map((detail) => detail.line)].filter(Boolean).join('\n')
  await tx`
    insert into host_crawl_log (host_id, started, finished, mode, result, summary, details)
    values (${crawl.host.id}, ${crawl.started}, ${crawl.finished}, ${crawl.mode}, ${crawl.result}, ${summary},
            ${tx.json(JSON.parse(JSON.stringify({ categories: details, families: crawl.families, requests: crawl.counters.requests, bytes: crawl.counters.bytes })))})`
  await tx`
    delete from host_crawl_log where host_id = ${crawl.host.id} and id not in (
      select id from host_crawl_log where host_id = ${crawl.host.id} order by started desc, id desc limit ${keep})`
}

/** Stores everything one host's crawl found, inside the caller's transaction; returns whether the host got disabled. */
export async function storeHostCrawlIn(tx: Sql, crawl: HostCrawlResult, options: StoreOptions): Promise<boolean> {
  for (const outcome of crawl.categories) await storeCategory(tx, outcome)
  const disabled = await storeHost(tx, crawl, options)
  await storeFamilies(tx, crawl)
  await storeLog(tx, crawl, options.logKeep)
  return disabled
}

/** Stores everything one host's crawl found, in one transaction; returns whether the host got disabled. */
export async function storeHostCrawl(sql: Sql, crawl: HostCrawlResult, options: StoreOptions): Promise<boolean> {
  return inTransaction(sql, (tx) => storeHostCrawlIn(tx, crawl, options))
}
