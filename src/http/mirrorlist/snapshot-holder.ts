/**
 * The snapshot a worker serves, and the reload rule: load and validate the new file
 * completely, and only then switch. A file that does not load leaves the old snapshot
 * in place (the caller logs why). Requests in flight keep the index they started with:
 * the switch is one assignment, and nothing ever mutates a loaded index.
 */
import type { MirrorIndex } from '../../lib/mirrorlist/index/read.js'

export interface LoadedSnapshot {
  index: MirrorIndex
  file: string
  /** epoch ms when this worker switched to it */
  loadedAt: number
  /** ms spent loading and validating */
  loadMs: number
  /** loaded from the last good copy because the file on disk was rejected (last-good.ts) */
  fromLastGood: boolean
}

export interface ReloadOutcome {
  ok: boolean
  loadMs: number
  /** why the file was rejected */
  error?: string
  stats?: MirrorIndex['stats']
  createdAt?: number
  /** served from the last good copy; `fileError` says why the file on disk was not */
  fromLastGood?: boolean
  fileError?: string
}

export type SnapshotLoader = (file: string) => Promise<MirrorIndex>

export class SnapshotHolder {
  current?: LoadedSnapshot
  private loading?: Promise<ReloadOutcome>

  constructor(private readonly loader: SnapshotLoader) {}

  /** Loads `file`; switches to it only when it loaded. Concurrent calls share one load. */
  reload(file: string, options: { fromLastGood?: boolean } = {}): Promise<ReloadOutcome> {
    this.loading ??= this.load(file, options.fromLastGood === true).finally(() => (this.loading = undefined))
    return this.loading
  }

  private async load(file: string, fromLastGood: boolean): Promise<ReloadOutcome> {
    const started = performance.now()
    try {
      const index = await this.loader(file)
      const loadMs = Math.round(performance.now() - started)
      this.current = { index, file, loadedAt: Date.now(), loadMs, fromLastGood }
      return { ok: true, loadMs, stats: index.stats, createdAt: index.createdAt }
    } catch (error) {
      return { ok: false, loadMs: Math.round(performance.now() - started), error: (error as Error).message }
    }
  }
}
