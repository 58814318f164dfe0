/** The run summary: what `mirrormanager crawl` prints as a table and returns as --json. */
import { PartialFailureError } from '../errors.js'
import { addCounters, newCounters, type CrawlMode, type HostCrawlResult, type HostResult } from './types.js'

export interface HostSummary {
  id: number
  name: string
  result: HostResult
  durationSeconds: number
  upToDate: number
  stale: number
  unreachableCategories: number
  disabled: boolean
  requests: number
  message: string | null
}

export interface CrawlSummary {
  mode: CrawlMode
  dryRun: boolean
  /** total: hosts selected; notStarted: left alone because the global timeout came first. */
  hosts: { total: number; ok: number; failed: number; unreachable: number; timedOut: number; notStarted: number; disabled: number }
  directories: { upToDate: number; stale: number }
  requests: Record<string, number>
  bytes: number
  durationSeconds: number
  results: HostSummary[]
}

export function hostSummary(crawl: HostCrawlResult): HostSummary {
  let upToDate = 0
  let stale = 0
  for (const category of crawl.categories) for (const verdict of category.verdicts.values()) verdict === 'up2date' ? upToDate++ : stale++
  return {
    id: crawl.host.id,
    name: crawl.host.name,
    result: crawl.result,
    durationSeconds: Math.round((crawl.finished.getTime() - crawl.started.getTime()) / 100) / 10,
    upToDate,
    stale,
    unreachableCategories: crawl.categories.filter((category) => category.status === 'unreachable').length,
    disabled: crawl.disabled,
    requests: Object.values(crawl.counters.requests).reduce((sum, n) => sum + n, 0),
    message: crawl.message,
  }
}

export function summarizeRun(crawls: HostCrawlResult[], run: { started: number; dryRun: boolean; mode: CrawlMode; notStarted: number }): CrawlSummary {
  const results = crawls.map(hostSummary).sort((a, b) => a.id - b.id)
  const counters = newCounters()
  for (const crawl of crawls) addCounters(counters, crawl.counters)
  const count = (result: HostResult) => results.filter((host) => host.result === result).length
  return {
    mode: run.mode,
    dryRun: run.dryRun,
    hosts: {
      total: results.length + run.notStarted,
      ok: count('ok'),
      failed: count('failure'),
      unreachable: count('unreachable'),
      timedOut: count('timeout'),
      notStarted: run.notStarted,
      disabled: results.filter((host) => host.disabled).length,
    },
    directories: {
      upToDate: results.reduce((sum, host) => sum + host.upToDate, 0),
      stale: results.reduce((sum, host) => sum + host.stale, 0),
    },
    requests: counters.requests,
    bytes: counters.bytes,
    durationSeconds: Math.round((Date.now() - run.started) / 100) / 10,
    results,
  }
}

/** Key/value rows of the summary table. */
export function summaryRecord(summary: CrawlSummary): [string, unknown][] {
  const requests = Object.entries(summary.requests).map(([protocol, n]) => `${protocol} ${n}`)
  return [
    ['hosts', summary.hosts.total],
    ['ok', summary.hosts.ok],
    ['failed', summary.hosts.failed],
    ['unreachable', summary.hosts.unreachable],
    ['timed out', summary.hosts.timedOut],
    ['not started (global timeout)', summary.hosts.notStarted],
    ['disabled now', summary.hosts.disabled],
    ['directories up to date', summary.directories.upToDate],
    ['directories stale', summary.directories.stale],
    ['requests', requests.length ? requests.join(', ') : 'none'],
    ['bytes read', summary.bytes],
    ['duration (s)', summary.durationSeconds],
    ...(summary.dryRun ? [['dry run', 'nothing was written'] as [string, unknown]] : []),
  ]
}

/**
 * The error a command raises after a run in which some hosts failed, were unreachable,
 * timed out or were not started (exit status 8); its `details` are the whole summary.
 */
export function crawlFailure(summary: CrawlSummary): PartialFailureError | null {
  const failed = summary.hosts.total - summary.hosts.ok
  if (failed === 0) return null
  return new PartialFailureError(`${failed} of ${summary.hosts.total} hosts failed, were unreachable or timed out`, {
    details: summary as unknown as Record<string, unknown>,
  })
}
