/**
 * /metrics across serve-web's workers (node:cluster IPC). The worker that gets the
 * request asks the primary; the primary asks every live worker for its snapshot and
 * answers with all of them (a worker that does not answer within a second is left out,
 * so a stuck worker cannot hang /metrics). Messages carry an id; answers repeat it.
 */
import cluster, { type Worker } from 'node:cluster'
import type { WebMetrics, WebMetricsSnapshot } from './metrics.js'

type ToWorker = { type: 'web-metrics-collect'; id: number } | { type: 'web-metrics-result'; id: number; snapshots: WebMetricsSnapshot[] }
type ToPrimary = { type: 'web-metrics-request'; id: number } | { type: 'web-metrics-report'; id: number; snapshot: WebMetricsSnapshot }

const COLLECT_TIMEOUT_MS = 1000

function isMessage<T extends { type: string }>(value: unknown, type: T['type']): value is T {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === type
}

/**
 * In a worker: answers the primary's collection rounds; `collect` is what /metrics calls.
 * `stop()` when the server has closed: a 'message' listener keeps the IPC channel, and so
 * the worker, alive.
 */
export function workerMetricsCollector(local: WebMetrics): { collect: () => Promise<WebMetricsSnapshot[]>; stop: () => void } {
  const waiting = new Map<number, (snapshots: WebMetricsSnapshot[]) => void>()
  let next = 0
  const onMessage = (message: unknown) => {
    if (isMessage<ToWorker & { type: 'web-metrics-collect' }>(message, 'web-metrics-collect')) {
      process.send?.({ type: 'web-metrics-report', id: message.id, snapshot: local.snapshot() } satisfies ToPrimary)
    } else if (isMessage<ToWorker & { type: 'web-metrics-result' }>(message, 'web-metrics-result')) {
      waiting.get(message.id)?.(message.snapshots)
      waiting.delete(message.id)
    }
  }
  process.on('message', onMessage)
  const collect = () =>
    new Promise<WebMetricsSnapshot[]>((resolve) => {
      const id = ++next
      // the primary answers within COLLECT_TIMEOUT_MS; if it is gone, our own counts
      const timer = setTimeout(() => {
        waiting.delete(id)
        resolve([local.snapshot()])
      }, COLLECT_TIMEOUT_MS * 3)
      waiting.set(id, (snapshots) => {
        clearTimeout(timer)
        resolve(snapshots)
      })
      process.send?.({ type: 'web-metrics-request', id } satisfies ToPrimary)
    })
  return { collect, stop: () => process.off('message', onMessage) }
}

/** In the primary: serves the workers' requests for everybody's metrics. */
export function servePrimaryMetrics(): void {
  let round = 0
  cluster.on('message', (asker: Worker, message: unknown) => {
    if (!isMessage<ToPrimary & { type: 'web-metrics-request' }>(message, 'web-metrics-request')) return
    const id = ++round
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && w.isConnected())
    const snapshots: WebMetricsSnapshot[] = []
    let done = false
    const finish = () => {
      if (done) return
      done = true
      clearTimeout(timer)
      cluster.off('message', onReport)
      if (asker.isConnected()) asker.send({ type: 'web-metrics-result', id: message.id, snapshots } satisfies ToWorker)
    }
    const onReport = (_worker: Worker, report: unknown) => {
      if (!isMessage<ToPrimary & { type: 'web-metrics-report' }>(report, 'web-metrics-report') || report.id !== id) return
      snapshots.push(report.snapshot)
      if (snapshots.length === workers.length) finish()
    }
    const timer = setTimeout(finish, COLLECT_TIMEOUT_MS)
    cluster.on('message', onReport)
    for (const worker of workers) worker.send({ type: 'web-metrics-collect', id } satisfies ToWorker)
  })
}
