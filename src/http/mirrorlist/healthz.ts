/**
 * GET /healthz: 200 when this worker serves a snapshot, 503 when it has none (a proxy
 * then sends the request to another backend). The body says which snapshot and how old.
 */
import type { SnapshotHolder } from './snapshot-holder.js'

export interface HealthReport {
  status: 'ok' | 'unavailable'
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
}

export function healthReport(holder: SnapshotHolder, worker: number, nowMs: number, lastReloadError?: string): { httpStatus: number; report: HealthReport } {
  const current = holder.current
  if (!current) return { httpStatus: 503, report: { status: 'unavailable', worker, pid: process.pid, ...(lastReloadError ? { lastReloadError } : {}) } }
  const { index } = current
  return {
    httpStatus: 200,
    report: {
      status: 'ok',
      worker,
      pid: process.pid,
      snapshot: {
        file: current.file,
        createdAt: index.createdAt,
        ageSeconds: Math.max(0, Math.round(nowMs / 1000 - index.createdAt)),
        loadedAt: new Date(current.loadedAt).toISOString(),
        loadMs: current.loadMs,
        ...index.stats,
      },
      ...(lastReloadError ? { lastReloadError } : {}),
    },
  }
}
