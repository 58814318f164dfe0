/**
 * serve-mirrorlist --snapshot-url: the primary polls a published snapshot and installs a
 * new one in place of the local file (src/lib/snapshot/fetch.ts), then asks for the same
 * reload as SIGHUP. Polls never overlap: the next is scheduled when one ends, after the
 * interval ± JITTER of it, so many servers started together do not poll in step.
 *
 * Every poll is counted by result (ok, not_modified, error, invalid) for /metrics; a
 * failure keeps the snapshot in place and is logged once until it changes or a poll
 * succeeds again. Validation is the workers' own load (loadSnapshotBytes: container,
 * format, schema, content checksum, index invariants), run here on the downloaded bytes
 * and thrown away: a file that would be rejected on reload is never installed.
 */
import { existsSync } from 'node:fs'
import { fetchFailureKind, fetchSnapshot, fileSha256 } from '../../lib/snapshot/fetch.js'
import { loadSnapshotBytes } from '../../lib/mirrorlist/index/read.js'
import type { Logger } from '../../lib/log.js'
import type { ServerOptions } from './options.js'

/** ± this fraction of the interval between polls */
export const POLL_JITTER = 0.2
/** connect, response headers, and body idle time of one fetch */
const FETCH_TIMEOUT_MS = 30_000
/** the defaults of mirrorlist.snapshot_poll_interval and mirrorlist.snapshot_max_bytes, for callers without a configuration */
const DEFAULT_INTERVAL_SECONDS = 60
const DEFAULT_MAX_BYTES = 1024 ** 3

export type FetchResultName = 'ok' | 'not_modified' | 'error' | 'invalid'

/** What /metrics and /healthz say about the fetches (the primary sends it to every worker). */
export interface SnapshotFetchStatus {
  url: string
  results: Record<FetchResultName, number>
  /** epoch seconds of the last poll that ended ok or not_modified */
  lastSuccessAt?: number
  lastResult?: FetchResultName
  /** why the last poll failed, while the latest poll is a failure */
  lastError?: string
}

/** The delay before the next poll: `intervalSeconds` ± POLL_JITTER of it. */
export function nextPollDelayMs(intervalSeconds: number, random: () => number = Math.random): number {
  return Math.round(intervalSeconds * 1000 * (1 + POLL_JITTER * (2 * random() - 1)))
}

export class SnapshotPoller {
  readonly status: SnapshotFetchStatus
  private etag?: string
  private lastModified?: string
  private sha256?: string
  private loggedFailure?: string
  private timer?: NodeJS.Timeout
  private stopped = false

  constructor(
    private readonly options: Pick<ServerOptions, 'snapshot' | 'snapshotPollInterval' | 'snapshotMaxBytes'> & { snapshotUrl: string },
    private readonly logger: Logger,
  ) {
    this.status = { url: options.snapshotUrl, results: { ok: 0, not_modified: 0, error: 0, invalid: 0 } }
  }

  /** One poll now; resolves with its result (never rejects). */
  async poll(): Promise<FetchResultName> {
    const { snapshotUrl: url, snapshot: file } = this.options
    // No file in place (deleted by hand): validators of a copy we no longer have must not stop a download.
    if (!existsSync(file)) this.etag = this.lastModified = this.sha256 = undefined
    // The bytes in place: the same bytes again (a backend without ETag or Last-Modified) are not a new snapshot.
    this.sha256 ??= await fileSha256(file)
    let result: FetchResultName
    try {
      const fetched = await fetchSnapshot({
        url,
        file,
        etag: this.etag,
        lastModified: this.lastModified,
        sha256: this.sha256,
        maxBytes: this.options.snapshotMaxBytes ?? DEFAULT_MAX_BYTES,
        timeoutMs: FETCH_TIMEOUT_MS,
        validate: async (bytes, name) => void (await loadSnapshotBytes(bytes, name, { warn: (message) => this.logger.warn(message) })),
      })
      ;({ etag: this.etag, lastModified: this.lastModified, sha256: this.sha256 } = fetched)
      result = fetched.result
      this.status.lastSuccessAt = Math.round(Date.now() / 1000)
      this.status.lastError = undefined
      if (this.loggedFailure !== undefined) this.logger.info(`snapshot fetch from ${url} works again`)
      this.loggedFailure = undefined
      if (result === 'ok') this.logger.info(`fetched a new snapshot from ${url} (${fetched.bytes} bytes) into ${file}`)
      else this.logger.debug(`snapshot at ${url} not modified`)
    } catch (error) {
      result = fetchFailureKind(error)
      const message = (error as Error).message
      this.status.lastError = message
      if (message !== this.loggedFailure) {
        this.logger.error(`cannot fetch the snapshot: ${message}; keeping the snapshot in place (logged once until it changes)`)
        this.loggedFailure = message
      }
    }
    this.status.results[result]++
    this.status.lastResult = result
    return result
  }

  /** Polls every interval (± jitter) from now on; `after` runs after each poll. */
  start(after: (result: FetchResultName) => void): void {
    const schedule = () => {
      if (this.stopped) return
      this.timer = setTimeout(() => {
        void this.poll().then((result) => {
          if (this.stopped) return
          after(result)
          schedule()
        })
      }, nextPollDelayMs(this.options.snapshotPollInterval ?? DEFAULT_INTERVAL_SECONDS))
    }
    schedule()
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
  }
}
