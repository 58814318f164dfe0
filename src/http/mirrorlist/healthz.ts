/**
 * GET /healthz: 200 when this worker serves a snapshot, 503 when it has none (a proxy
 * then sends the request to another backend). The body says which snapshot and how old,
 * and `snapshotFileRejected` when the file on disk was rejected and an older snapshot is
 * served (the worker's previous one, or the last good copy after a restart).
 * With a maximum age (serve-mirrorlist --max-snapshot-age), a snapshot older than that
 * makes it 503 with status "stale": a load balancer can alert, while requests are still
 * answered from the old snapshot (an old list beats no list).
 * With --snapshot-url, `snapshotFetch` says when a poll of the URL last succeeded (a new
 * snapshot or "not modified") and why the latest one failed, if it did; a failing fetch
 * alone does not make the server unhealthy (--max-snapshot-age is the alarm for that).
 */
import type { SnapshotHolder } from './snapshot-holder.js'
import type { SnapshotFetchStatus } from './snapshot-poller.js'

export interface HealthReport {
  status: 'ok' | 'stale' | 'unavailable'
  worker: number
  pid: number
  snapshot?: {
    file: string
    /** epoch seconds of the database the snapshot was generated from */
    createdAt: number
    ageSeconds: number
    loadedAt: string
    loadMs: number
    /** 'last-good copy': the file on disk was rejected when this worker started */
    source: 'file' | 'last-good copy'
    hosts: number
    directories: number
    repositories: number
  }
  lastReloadError?: string
  /** the limit the snapshot is over (status "stale") */
  maxSnapshotAge?: number
  /** true when the snapshot file on disk was rejected and an older snapshot is served */
  snapshotFileRejected?: boolean
  snapshotFetch?: {
    url: string
    /** ISO time of the last poll that got a new snapshot or "not modified" */
    lastSuccessAt?: string
    lastSuccessAgeSeconds?: number
    lastResult?: string
    lastError?: string
  }
}

function fetchReport(status: SnapshotFetchStatus | undefined, nowMs: number): Pick<HealthReport, 'snapshotFetch'> {
  if (!status) return {}
  const { url, lastSuccessAt, lastResult, lastError } = status
  return {
    snapshotFetch: {
      url,
      ...(lastSuccessAt === undefined ? {} : { lastSuccessAt: new Date(lastSuccessAt * 1000).toISOString(), lastSuccessAgeSeconds: Math.max(0, Math.round(nowMs / 1000) - lastSuccessAt) }),
      ...(lastResult ? { lastResult } : {}),
      ...(lastError ? { lastError } : {}),
    },
  }
}

export function healthReport(
  holder: SnapshotHolder,
  worker: number,
  nowMs: number,
  lastReloadError?: string,
  maxSnapshotAge = 0,
  fetchStatus?: SnapshotFetchStatus,
): { httpStatus: number; report: HealthReport } {
  const current = holder.current
  if (!current) return { httpStatus: 503, report: { status: 'unavailable', worker, pid: process.pid, ...(lastReloadError ? { lastReloadError } : {}), ...fetchReport(fetchStatus, nowMs) } }
  const { index } = current
  const ageSeconds = Math.max(0, Math.round(nowMs / 1000 - index.createdAt))
  const stale = maxSnapshotAge > 0 && ageSeconds > maxSnapshotAge
  return {
    httpStatus: stale ? 503 : 200,
    report: {
      status: stale ? 'stale' : 'ok',
      ...(stale ? { maxSnapshotAge } : {}),
      worker,
      pid: process.pid,
      snapshot: {
        file: current.file,
        createdAt: index.createdAt,
        ageSeconds,
        loadedAt: new Date(current.loadedAt).toISOString(),
        loadMs: current.loadMs,
        source: current.fromLastGood ? 'last-good copy' : 'file',
        ...index.stats,
      },
      ...(lastReloadError ? { lastReloadError, snapshotFileRejected: true } : {}),
      ...fetchReport(fetchStatus, nowMs),
    },
  }
}
