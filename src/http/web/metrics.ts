/**
 * Prometheus text for serve-web: requests by route and status class, and their duration.
 * With --workers N each worker counts its own requests; /metrics (answered by whichever
 * worker got the connection) asks the primary for every worker's snapshot and renders
 * their sum, as serve-mirrorlist does (cluster-metrics.ts), plus a per-worker request
 * count so an uneven spread shows.
 */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

/** One worker's counts, plain data (crosses the cluster IPC channel). */
export interface WebMetricsSnapshot {
  /** cluster worker id; 0 when serve-web runs as one process */
  worker: number
  requests: [labels: string, count: number][]
  buckets: number[]
  count: number
  sum: number
}

export class WebMetrics {
  readonly #requests = new Map<string, number>()
  readonly #buckets = new Array<number>(BUCKETS.length).fill(0)
  #count = 0
  #sum = 0

  constructor(readonly worker = 0) {}

  observe(route: string, status: number, seconds: number): void {
    const key = `route="${route.replace(/["\\\n]/g, '_')}",status="${Math.floor(status / 100)}xx"`
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1)
    this.#count++
    this.#sum += seconds
    BUCKETS.forEach((le, i) => {
      if (seconds <= le) this.#buckets[i]++
    })
  }

  snapshot(): WebMetricsSnapshot {
    return { worker: this.worker, requests: [...this.#requests], buckets: [...this.#buckets], count: this.#count, sum: this.#sum }
  }
}

/** The sum of the workers' counts (one snapshot: serve-web alone). */
export function renderWebMetrics(snapshots: readonly WebMetricsSnapshot[]): string {
  const requests = new Map<string, number>()
  const buckets = new Array<number>(BUCKETS.length).fill(0)
  let count = 0
  let sum = 0
  for (const snapshot of snapshots) {
    for (const [labels, n] of snapshot.requests) requests.set(labels, (requests.get(labels) ?? 0) + n)
    snapshot.buckets.forEach((n, i) => (buckets[i] += n))
    count += snapshot.count
    sum += snapshot.sum
  }
  const lines = ['# HELP mirrormanager_web_requests_total HTTP requests answered, by route and status class (sum of all workers).', '# TYPE mirrormanager_web_requests_total counter']
  for (const [labels, n] of [...requests].sort(([a], [b]) => a.localeCompare(b))) lines.push(`mirrormanager_web_requests_total{${labels}} ${n}`)
  lines.push('# HELP mirrormanager_web_request_seconds Time to answer a request (all workers).', '# TYPE mirrormanager_web_request_seconds histogram')
  BUCKETS.forEach((le, i) => lines.push(`mirrormanager_web_request_seconds_bucket{le="${le}"} ${buckets[i]}`))
  lines.push(`mirrormanager_web_request_seconds_bucket{le="+Inf"} ${count}`, `mirrormanager_web_request_seconds_sum ${sum}`, `mirrormanager_web_request_seconds_count ${count}`)
  lines.push('# HELP mirrormanager_web_worker_requests_total HTTP requests answered by each worker process.', '# TYPE mirrormanager_web_worker_requests_total counter')
  for (const snapshot of [...snapshots].sort((a, b) => a.worker - b.worker)) lines.push(`mirrormanager_web_worker_requests_total{worker="${snapshot.worker}"} ${snapshot.count}`)
  lines.push('# HELP mirrormanager_web_workers Worker processes that reported.', '# TYPE mirrormanager_web_workers gauge', `mirrormanager_web_workers ${snapshots.length}`)
  return lines.join('\n') + '\n'
}
