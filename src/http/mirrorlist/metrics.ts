/**
 * Request metrics of one worker, and the Prometheus text rendering of all workers'.
 *
 * Each worker counts what it answers in plain objects (no locks, no I/O on the request
 * path). A GET /metrics is answered by whichever worker receives it: that worker asks the
 * primary, the primary collects every worker's `WorkerMetrics` over IPC and the worker
 * renders the merged result. Counters and histograms are SUMMED across workers; the
 * per-worker state (snapshot age, loaded or not) is a gauge with a `worker` label.
 */

import type { SnapshotFetchStatus } from './snapshot-poller.js'

/** Upper bounds of the latency histogram, in seconds. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const

interface Histogram {
  /** Cumulative counts are computed at render time; these are per-bucket counts (+Inf last). */
  buckets: number[]
  count: number
  sum: number
}

export interface WorkerMetrics {
  worker: number
  /** `endpoint\tstatus\ttier` -> count */
  requests: Record<string, number>
  /** endpoint -> histogram */
  latency: Record<string, Histogram>
  reloadsOk: number
  reloadsFailed: number
  /** epoch seconds of the snapshot's database time, when one is loaded */
  snapshotCreatedAt?: number
  /** epoch seconds when this worker switched to the snapshot */
  snapshotLoadedAt?: number
  /** the snapshot file on disk was rejected: the worker serves an older one (its previous, or the last good copy) */
  snapshotFileRejected?: boolean
  /** lookup table (geoip, global_netblocks) -> the data it was loaded from */
  lookupData?: Record<string, { source: string; builtAt: number }>
}

export interface PrimaryMetrics {
  workerRestarts: number
  workersAlive: number
  /** Reload rounds (SIGHUP, or a replaced file with --watch): the numbers of the "stopped:" log line. */
  reloads: { ok: number; rejected: number }
  /** --snapshot-url only */
  snapshotFetch?: SnapshotFetchStatus
}

export class RequestMetrics {
  readonly state: WorkerMetrics
  /**
   * Speed: the `endpoint\tstatus\ttier` key of each label set, made once. A key built per
   * request is a new string that the counter update must flatten, hash and internalize
   * (~2 % of a worker's time under load, in a perf profile). Few label sets exist.
   */
  private readonly keys = new Map<string, Map<number, Map<string, string>>>()

  constructor(worker: number) {
    this.state = { worker, requests: {}, latency: {}, reloadsOk: 0, reloadsFailed: 0 }
  }

  private keyOf(endpoint: string, status: number, tier: string): string {
    let byStatus = this.keys.get(endpoint)
    if (!byStatus) this.keys.set(endpoint, (byStatus = new Map()))
    let byTier = byStatus.get(status)
    if (!byTier) byStatus.set(status, (byTier = new Map()))
    let key = byTier.get(tier)
    if (key === undefined) byTier.set(tier, (key = `${endpoint}\t${status}\t${tier}`))
    return key
  }

  observe(endpoint: string, status: number, tier: string | undefined, seconds: number): void {
    const key = this.keyOf(endpoint, status, tier ?? 'none')
    this.state.requests[key] = (this.state.requests[key] ?? 0) + 1
    const histogram = (this.state.latency[endpoint] ??= { buckets: new Array(LATENCY_BUCKETS.length + 1).fill(0), count: 0, sum: 0 })
    let bucket = 0
    while (bucket < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[bucket]) bucket++
    histogram.buckets[bucket]++
    histogram.count++
    histogram.sum += seconds
  }

  recordReload(ok: boolean): void {
    if (ok) this.state.reloadsOk++
    else this.state.reloadsFailed++
  }

  snapshotSwitched(createdAt: number, loadedAt: number): void {
    this.state.snapshotCreatedAt = createdAt
    this.state.snapshotLoadedAt = loadedAt
  }
}

function sumRequests(workers: readonly WorkerMetrics[]): Map<string, number> {
  const total = new Map<string, number>()
  for (const worker of workers) {
    for (const [key, count] of Object.entries(worker.requests)) total.set(key, (total.get(key) ?? 0) + count)
  }
  return total
}

function sumLatency(workers: readonly WorkerMetrics[]): Map<string, Histogram> {
  const total = new Map<string, Histogram>()
  for (const worker of workers) {
    for (const [endpoint, histogram] of Object.entries(worker.latency)) {
      const into = total.get(endpoint) ?? { buckets: new Array(LATENCY_BUCKETS.length + 1).fill(0), count: 0, sum: 0 }
      histogram.buckets.forEach((count, i) => (into.buckets[i] += count))
      into.count += histogram.count
      into.sum += histogram.sum
      total.set(endpoint, into)
    }
  }
  return total
}

/** Label values are ours (endpoint names, tiers, numbers) but escape them anyway. */
const label = (value: string | number) => String(value).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')

function renderLatency(lines: string[], latency: Map<string, Histogram>): void {
  const name = 'mirrormanager_mirrorlist_request_duration_seconds'
  lines.push(`# HELP ${name} Time from request to response end, by endpoint.`, `# TYPE ${name} histogram`)
  for (const [endpoint, histogram] of [...latency].sort(([a], [b]) => a.localeCompare(b))) {
    let cumulative = 0
    LATENCY_BUCKETS.forEach((bound, i) => {
      cumulative += histogram.buckets[i]
      lines.push(`${name}_bucket{endpoint="${label(endpoint)}",le="${bound}"} ${cumulative}`)
    })
    lines.push(`${name}_bucket{endpoint="${label(endpoint)}",le="+Inf"} ${histogram.count}`)
    lines.push(`${name}_sum{endpoint="${label(endpoint)}"} ${histogram.sum}`, `${name}_count{endpoint="${label(endpoint)}"} ${histogram.count}`)
  }
}

function renderWorkerGauges(lines: string[], workers: readonly WorkerMetrics[], nowSeconds: number): void {
  const sorted = [...workers].sort((a, b) => a.worker - b.worker)
  lines.push('# HELP mirrormanager_mirrorlist_snapshot_loaded Whether the worker serves a snapshot (1) or none (0).')
  lines.push('# TYPE mirrormanager_mirrorlist_snapshot_loaded gauge')
  for (const w of sorted) lines.push(`mirrormanager_mirrorlist_snapshot_loaded{worker="${w.worker}"} ${w.snapshotCreatedAt === undefined ? 0 : 1}`)
  lines.push('# HELP mirrormanager_mirrorlist_snapshot_age_seconds Age of the served snapshot\'s data (now - database time).')
  lines.push('# TYPE mirrormanager_mirrorlist_snapshot_age_seconds gauge')
  for (const w of sorted) {
    if (w.snapshotCreatedAt !== undefined) lines.push(`mirrormanager_mirrorlist_snapshot_age_seconds{worker="${w.worker}"} ${Math.max(0, nowSeconds - w.snapshotCreatedAt)}`)
  }
  lines.push('# HELP mirrormanager_mirrorlist_snapshot_timestamp_seconds Database time of the served snapshot (what X-MirrorManager-Snapshot says).')
  lines.push('# TYPE mirrormanager_mirrorlist_snapshot_timestamp_seconds gauge')
  for (const w of sorted) {
    if (w.snapshotCreatedAt !== undefined) lines.push(`mirrormanager_mirrorlist_snapshot_timestamp_seconds{worker="${w.worker}"} ${w.snapshotCreatedAt}`)
  }
  lines.push('# HELP mirrormanager_mirrorlist_snapshot_file_rejected Whether the snapshot file on disk was rejected, so the worker serves an older snapshot (1) or not (0).')
  lines.push('# TYPE mirrormanager_mirrorlist_snapshot_file_rejected gauge')
  for (const w of sorted) lines.push(`mirrormanager_mirrorlist_snapshot_file_rejected{worker="${w.worker}"} ${w.snapshotFileRejected ? 1 : 0}`)
  lines.push('# HELP mirrormanager_mirrorlist_lookup_data_timestamp_seconds When the data of a lookup table (GeoIP, global netblocks) was built, by table and source file.')
  lines.push('# TYPE mirrormanager_mirrorlist_lookup_data_timestamp_seconds gauge')
  for (const w of sorted) {
    for (const [table, data] of Object.entries(w.lookupData ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`mirrormanager_mirrorlist_lookup_data_timestamp_seconds{worker="${w.worker}",table="${label(table)}",source="${label(data.source)}"} ${data.builtAt}`)
    }
  }
  lines.push('# HELP mirrormanager_mirrorlist_snapshot_loaded_timestamp_seconds When the worker switched to its snapshot.')
  lines.push('# TYPE mirrormanager_mirrorlist_snapshot_loaded_timestamp_seconds gauge')
  for (const w of sorted) {
    if (w.snapshotLoadedAt !== undefined) lines.push(`mirrormanager_mirrorlist_snapshot_loaded_timestamp_seconds{worker="${w.worker}"} ${w.snapshotLoadedAt}`)
  }
}

/** --snapshot-url: polls by result, and when one last succeeded (a new snapshot or "not modified"). */
function renderSnapshotFetch(lines: string[], status: SnapshotFetchStatus, nowSeconds: number): void {
  lines.push('# HELP mirrormanager_mirrorlist_snapshot_fetch_total Polls of --snapshot-url by result: ok (a new snapshot installed), not_modified, error (network, HTTP status, too big), invalid (not a valid snapshot).')
  lines.push('# TYPE mirrormanager_mirrorlist_snapshot_fetch_total counter')
  for (const [result, count] of Object.entries(status.results)) lines.push(`mirrormanager_mirrorlist_snapshot_fetch_total{result="${result}"} ${count}`)
  if (status.lastSuccessAt === undefined) return
  lines.push('# HELP mirrormanager_mirrorlist_snapshot_fetch_success_age_seconds Seconds since a poll of --snapshot-url last succeeded (ok or not_modified).')
  lines.push('# TYPE mirrormanager_mirrorlist_snapshot_fetch_success_age_seconds gauge')
  lines.push(`mirrormanager_mirrorlist_snapshot_fetch_success_age_seconds ${Math.max(0, nowSeconds - status.lastSuccessAt)}`)
  lines.push('# HELP mirrormanager_mirrorlist_snapshot_fetch_success_timestamp_seconds When a poll of --snapshot-url last succeeded.')
  lines.push('# TYPE mirrormanager_mirrorlist_snapshot_fetch_success_timestamp_seconds gauge')
  lines.push(`mirrormanager_mirrorlist_snapshot_fetch_success_timestamp_seconds ${status.lastSuccessAt}`)
}

/** Prometheus text exposition format 0.0.4 of all workers plus the primary's counters. */
export function renderMetrics(workers: readonly WorkerMetrics[], primary: PrimaryMetrics, nowSeconds: number): string {
  const lines: string[] = []
  lines.push('# HELP mirrormanager_mirrorlist_requests_total Requests answered, by endpoint, HTTP status and selection tier (sum of all workers).')
  lines.push('# TYPE mirrormanager_mirrorlist_requests_total counter')
  for (const [key, count] of [...sumRequests(workers)].sort(([a], [b]) => a.localeCompare(b))) {
    const [endpoint, status, tier] = key.split('\t')
    lines.push(`mirrormanager_mirrorlist_requests_total{endpoint="${label(endpoint)}",status="${status}",tier="${label(tier)}"} ${count}`)
  }
  renderLatency(lines, sumLatency(workers))
  // One reload = one SIGHUP or replaced file, however many workers switch; the load at start
  // is not a reload. The same numbers as the "stopped: N reloads, M rejected" line (issue 22:
  // this used to count every worker's loads, the first included: 4 after one SIGHUP).
  lines.push('# HELP mirrormanager_mirrorlist_reloads_total Snapshot reloads (SIGHUP, or a replaced file with --watch) by result; the load at start is not counted.')
  lines.push('# TYPE mirrormanager_mirrorlist_reloads_total counter')
  lines.push(`mirrormanager_mirrorlist_reloads_total{result="ok"} ${primary.reloads.ok}`)
  lines.push(`mirrormanager_mirrorlist_reloads_total{result="failed"} ${primary.reloads.rejected}`)
  if (primary.snapshotFetch) renderSnapshotFetch(lines, primary.snapshotFetch, nowSeconds)
  renderWorkerGauges(lines, workers, nowSeconds)
  lines.push('# HELP mirrormanager_mirrorlist_workers Worker processes alive.', '# TYPE mirrormanager_mirrorlist_workers gauge')
  lines.push(`mirrormanager_mirrorlist_workers ${primary.workersAlive}`)
  lines.push('# HELP mirrormanager_mirrorlist_worker_restarts_total Workers that died and were replaced.')
  lines.push('# TYPE mirrormanager_mirrorlist_worker_restarts_total counter')
  lines.push(`mirrormanager_mirrorlist_worker_restarts_total ${primary.workerRestarts}`)
  return lines.join('\n') + '\n'
}
