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
}

export interface ReloadOutcome {
  ok: boolean
  loadMs: number
  /** why the file was rejected */
  error?: string
  stats?: MirrorIndex['stats']
  createdAt?: number
}

export type SnapshotLoader = (file: string) => Promise<MirrorIndex>

export class SnapshotHolder {
  current?: LoadedSnapshot
  private loading?: Promise<ReloadOutcome>

  constructor(private readonly loader: SnapshotLoader) {}

  /** Loads `file`; switches to it only when it loaded. Concurrent calls share one load. */
  reload(file: string): Promise<ReloadOutcome> {
    this.loading ??= this.load(file).finally(() => (this.loading = undefined))
    return this.loading
  }

  private async load(file: string): Promise<ReloadOutcome> {
    const started = performance.now()
    try {
      const index = await this.loader(file)
      const loadMs = Math.round(performance.now() - started)
      this.current = { index, file, loadedAt: Date.now(), loadMs }
      return { ok: true, loadMs, stats: index.stats, createdAt: index.createdAt }
    } catch (error) {
      return { ok: false, loadMs: Math.round(performance.now() - started), error: (error as Error).message }
    }
  }
}
