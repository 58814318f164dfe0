/**
 * The IPC protocol between the primary and its workers (node:cluster messages).
 * Requests that expect an answer carry an `id`; the answer repeats it.
 */
import type { PrimaryMetrics, WorkerMetrics } from './metrics.js'
import type { ReloadOutcome } from './snapshot-holder.js'
import type { SnapshotFetchStatus } from './snapshot-poller.js'

export type ToWorker =
  | { type: 'listen' }
  | { type: 'reload'; id: number }
  | { type: 'reopen-log' }
  | { type: 'shutdown' }
  | { type: 'metrics-collect'; id: number }
  | { type: 'metrics-result'; id: number; workers: WorkerMetrics[]; primary: PrimaryMetrics }
  /** --snapshot-url: how the fetches went (for /healthz), after every poll */
  | { type: 'fetch-status'; status: SnapshotFetchStatus }

export type ToPrimary =
  /** the first snapshot load finished (ok or not) */
  | { type: 'loaded'; outcome: ReloadOutcome; sinceStartMs: number }
  | { type: 'listening'; port: number }
  | { type: 'reload-result'; id: number; outcome: ReloadOutcome }
  | { type: 'metrics-request'; id: number }
  | { type: 'metrics-report'; id: number; metrics: WorkerMetrics }

export function isMessage<T extends { type: string }>(value: unknown): value is T {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'
}
