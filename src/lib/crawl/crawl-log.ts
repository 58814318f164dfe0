/**
 * The per-host crawl log: what one crawl of one host found, in a line per category for
 * people (`mirrormanager host crawl-log HOST`) and as JSON for scripts.
 */
import type { Sql } from '../db/sql.js'
import type { CategoryOutcome } from './types.js'

export interface CategorySummary {
  category: string
  protocol: string | null
  status: CategoryOutcome['status']
  upToDate: number
  stale: number
  /** Why the protocols tried before the one that answered (or all of them) gave up. */
  attempts: string[]
  line: string
}

export function summarizeCategory(outcome: CategoryOutcome): CategorySummary {
  let upToDate = 0
  let stale = 0
  for (const verdict of outcome.verdicts.values()) verdict === 'up2date' ? upToDate++ : stale++
  const head = `${outcome.categoryName}:`
  let line: string
  if (outcome.status === 'unreachable') line = `${head} unreachable (${outcome.attempts.join('; ')})`
  else if (outcome.status === 'canary-ok') line = `${head} canary ok via ${outcome.protocol}`
  else line = `${head} ${upToDate} up to date, ${stale} stale via ${outcome.protocol}${outcome.attempts.length ? ` (before: ${outcome.attempts.join('; ')})` : ''}`
  return { category: outcome.categoryName, protocol: outcome.protocol, status: outcome.status, upToDate, stale, attempts: outcome.attempts, line }
}

export interface CrawlLogEntry {
  id: number
  started: Date
  finished: Date
  mode: string
  result: string
  summary: string
  details: unknown
}

export async function readCrawlLog(sql: Sql, hostId: number, limit: number): Promise<CrawlLogEntry[]> {
  return sql<CrawlLogEntry[]>`
    select id, started, finished, mode, result, summary, details from host_crawl_log
    where host_id = ${hostId} order by started desc, id desc limit ${limit}`
}
