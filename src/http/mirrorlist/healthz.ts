/**
 * GET /healthz: 200 when this worker serves a snapshot, 503 when it has none (a proxy
 * then sends the request to another backend). The body says which snapshot and how old.
 * With a maximum age (serve-mirrorlist --max-snapshot-age), a snapshot older than that
 * makes it 503 with status "stale": a load balancer can alert, while requests are still
 * answered from the old snapshot (an old list beats no list).
 */
import type { SnapshotHolder } from './snapshot-holder.js'

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
    hosts: number
    directories: number
    repositories: number
  }
  lastReloadError?: string
  /** the limit the snapshot is over (status "stale") */
  maxSnapshotAge?: number
}

export function healthReport(
  holder: SnapshotHolder,
  worker: number,
  nowMs: number,
  lastReloadError?: string,
  maxSnapshotAge = 0,
): { httpStatus: number; report: HealthReport } {
  const current = holder.current
  if (!current) return { httpStatus: 503, report: { status: 'unavailable', worker, pid: process.pid, ...(lastReloadError ? { lastReloadError } : {}) } }
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
        ...index.stats,
      },
      ...(lastReloadError ? { lastReloadError } : {}),
    },
  }
}
