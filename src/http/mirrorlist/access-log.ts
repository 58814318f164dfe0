/**
 * The statistics access log: one line per repo+arch request, in MirrorManager2's exact form
 *
 *     IP: 89.160.20.113; DATE: 2026-11-23; COUNTRY: SE; REPO: fedora-41; ARCH: x86_64
 *
 * Never blocks the request path: `record()` appends to an in-memory buffer; the buffer
 * is written with ONE asynchronous append every FLUSH_MS (or earlier when it is large).
 * Every worker appends to the same file opened with O_APPEND; one write() of whole lines
 * is never interleaved with another process's write on a local file system, so lines
 * from different workers never mix. `reopen()` (SIGUSR1) closes and reopens the file by
 * name, for logrotate's default create mode.
 */
import { open, type FileHandle } from 'node:fs/promises'
import type { Logger } from '../../lib/log.js'

/** The access log holds client addresses: readable by the owner and its group (logrotate, statistics jobs), not by everyone. Applies when the file is created. */
const ACCESS_LOG_MODE = 0o640
const FLUSH_MS = 200
const FLUSH_BYTES = 64 * 1024
/** When the disk cannot keep up, drop lines rather than grow without bound. */
const MAX_PENDING_BYTES = 16 * 1024 * 1024

export interface AccessRecord {
  ip: string
  country: string
  repo: string
  arch: string
}

/** One line; DATE is `YYYY-MM-DD` in UTC, as the statistics tool expects. */
export function accessLogLine(record: AccessRecord, date: Date | string): string {
  const day = typeof date === 'string' ? date : date.toISOString().slice(0, 10)
  return `IP: ${record.ip}; DATE: ${day}; COUNTRY: ${record.country}; REPO: ${record.repo}; ARCH: ${record.arch}\n`
}

const DAY_MS = 86_400_000

export class AccessLog {
  private handle?: FileHandle
  private pending: string[] = []
  private pendingBytes = 0
  private writing?: Promise<void>
  private timer?: NodeJS.Timeout
  private dropped = 0
  /** The UTC day string, recomputed only when a day boundary passes (not per request). */
  private day = ''
  private dayEnds = 0

  private constructor(
    readonly file: string,
    private readonly logger: Logger,
  ) {}

  static async open(file: string, logger: Logger): Promise<AccessLog> {
    const log = new AccessLog(file, logger)
    log.handle = await open(file, 'a', ACCESS_LOG_MODE)
    return log
  }

  record(record: AccessRecord, nowMs: number): void {
    if (this.pendingBytes > MAX_PENDING_BYTES) {
      this.dropped++
      return
    }
    if (nowMs >= this.dayEnds || nowMs < this.dayEnds - DAY_MS) {
      this.day = new Date(nowMs).toISOString().slice(0, 10)
      this.dayEnds = (Math.floor(nowMs / DAY_MS) + 1) * DAY_MS
    }
    const line = accessLogLine(record, this.day)
    this.pending.push(line)
    this.pendingBytes += line.length
    if (this.pendingBytes >= FLUSH_BYTES) this.flushSoon(0)
    else this.flushSoon(FLUSH_MS)
  }

  private flushSoon(delay: number): void {
    if (this.timer && delay > 0) return
    clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.flush()
    }, delay)
    this.timer.unref()
  }

  /** Writes everything buffered so far; resolves when it is on its way to the disk. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing
    if (this.pending.length === 0 || !this.handle) return
    const chunk = this.pending.join('')
    this.pending = []
    this.pendingBytes = 0
    const handle = this.handle
    this.writing = handle
      .appendFile(chunk)
      .catch((error: Error) => this.logger.error(`access log ${this.file}: ${error.message}`))
      .finally(() => (this.writing = undefined))
    await this.writing
    if (this.dropped > 0) {
      this.logger.warn(`access log ${this.file}: ${this.dropped} lines dropped (the disk did not keep up)`)
      this.dropped = 0
    }
  }

  /** For logrotate: write what is buffered to the old file, then reopen by name. */
  async reopen(): Promise<void> {
    await this.flush()
    const old = this.handle
    this.handle = await open(this.file, 'a', ACCESS_LOG_MODE)
    await old?.close()
  }

  async close(): Promise<void> {
    clearTimeout(this.timer)
    await this.flush()
    await this.handle?.close()
    this.handle = undefined
  }
}
