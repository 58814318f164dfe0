/**
 * Scans a source that comes as a listing of every entry: an rsync URL
 * (`rsync --list-only -r`) or a fullfiletimelist. The listing is streamed; files are
 * kept only for directories that changed (or are not seen yet), so an unchanged tree
 * holds one small record per directory. Directories go to the sink once the listing is
 * complete (a directory's readable flag depends on every parent).
 */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { SourceUnavailableError } from '../errors.js'
import { readFullfiletimelist } from '../master/fullfiletimelist.js'
import type { StoredFile } from '../master/short-file-list.js'
import { listRsync } from '../rsync/run-rsync.js'
import type { UmdlSource } from './config.js'
import { isExcluded } from './excludes.js'
import { fileDetailsOf } from './file-details.js'
import { parentPath, type DirectorySink, type ScanProgress, type ScanResult, type ScannedDirectory, type StoredTree } from './scan-types.js'

export interface ListedEntry {
  type: 'd' | 'f' | 'l'
  /** Relative to the category top; "" is the top. */
  path: string
  size: number
  /** ctime for directories (rsync: mtime), mtime for files. */
  time: number
  /** World r+x on this entry itself. */
  worldReadable: boolean
}

interface DirectoryRecord {
  ctime: number
  worldReadable: boolean
  changed: boolean
}

const YIELD_EVERY = 5000

function resolveReadable(records: Map<string, DirectoryRecord>): Map<string, boolean> {
  const readable = new Map<string, boolean>()
  const of = (path: string): boolean => {
    const known = readable.get(path)
    if (known !== undefined) return known
    const record = records.get(path)
    if (!record) return true // an excluded parent: the child is skipped anyway
    const parent = parentPath(path)
    const value = record.worldReadable && (parent === null || of(parent))
    readable.set(path, value)
    return value
  }
  for (const path of records.keys()) of(path)
  return readable
}

/** Builds the scan from a stream of entries (any order; parents normally first). */
export async function scanListing(
  entries: AsyncIterable<ListedEntry>,
  excludes: readonly RegExp[],
  stored: StoredTree,
  sink: DirectorySink,
  options: { contentRoot?: string; progress?: ScanProgress } = {},
): Promise<ScanResult> {
  const result: ScanResult = { warnings: [], directoriesListed: 0, filesRead: 0 }
  const records = new Map<string, DirectoryRecord>()
  const pendingFiles = new Map<string, StoredFile[]>()
  let changed = 0
  let seen = 0
  for await (const entry of entries) {
    if (++seen % YIELD_EVERY === 0) options.progress?.(records.size, changed)
    if (entry.path !== '' && isExcluded(entry.path, excludes)) continue
    if (entry.type === 'd') {
      const isChanged = stored.directories.get(entry.path)?.ctime !== entry.time
      if (isChanged) changed++
      records.set(entry.path, { ctime: entry.time, worldReadable: entry.worldReadable, changed: isChanged })
      continue
    }
    if (entry.type !== 'f') continue // a symlink's size is its target's name: not comparable
    const parent = parentPath(entry.path)!
    const record = records.get(parent)
    if (record && !record.changed) continue
    result.filesRead++
    const name = entry.path.slice(parent === '' ? 0 : parent.length + 1)
    const list = pendingFiles.get(parent)
    const file = { name, size: entry.size, timestamp: entry.time }
    if (list) list.push(file)
    else pendingFiles.set(parent, [file])
  }
  if (records.size === 0 || (records.size === 1 && pendingFiles.size === 0)) throw new SourceUnavailableError('the listing is empty')
  if (!records.has('')) records.set('', { ctime: 0, worldReadable: true, changed: stored.directories.get('')?.ctime !== 0 })
  const readable = resolveReadable(records)
  let emitted = 0
  for (const [path, record] of records) {
    const parent = parentPath(path)
    if (parent !== null && !records.has(parent)) continue // under an excluded or unlisted directory
    const directory: ScannedDirectory = { path, ctime: record.ctime, readable: readable.get(path)!, listable: true }
    if (record.changed) {
      result.directoriesListed++
      directory.files = pendingFiles.get(path) ?? []
      if (options.contentRoot) {
        const absolute = join(options.contentRoot, path)
        if (existsSync(absolute)) directory.fileDetails = fileDetailsOf(absolute, path, directory.files)
      }
    }
    emitted++
    const wait = sink(directory)
    if (wait) await wait
  }
  options.progress?.(emitted, changed)
  return result
}

const WORLD_RX = (permissions: string) => permissions[6] === 'r' && 'xt'.includes(permissions[8])

async function* rsyncEntries(source: UmdlSource, timeoutSeconds: number): AsyncGenerator<ListedEntry> {
  for await (const entry of listRsync(source.url!, { timeoutMs: timeoutSeconds * 1000 })) {
    const path = entry.path === '.' ? '' : entry.path
    yield { type: entry.type, path, size: entry.size, time: entry.mtime, worldReadable: WORLD_RX(entry.permissions) }
  }
}

async function* fullfiletimelistEntries(source: UmdlSource): AsyncGenerator<ListedEntry> {
  const subdir = source.subdir ?? ''
  for await (const entry of readFullfiletimelist(source.path!)) {
    if (entry.type !== 'd' && entry.type !== 'f' && entry.type !== 'l') continue
    let path = entry.path.replace(/^\.\//, '').replace(/\/+$/, '')
    if (subdir !== '') {
      if (path === subdir) path = ''
      else if (path.startsWith(`${subdir}/`)) path = path.slice(subdir.length + 1)
      else continue
    }
    yield { type: entry.type, path, size: entry.size, time: entry.ctime, worldReadable: true }
  }
}

export async function scanRsyncSource(source: UmdlSource, stored: StoredTree, timeoutSeconds: number, sink: DirectorySink, progress?: ScanProgress): Promise<ScanResult> {
  return scanListing(rsyncEntries(source, timeoutSeconds), source.excludes, stored, sink, { progress })
}

export async function scanFullfiletimelistSource(source: UmdlSource, stored: StoredTree, sink: DirectorySink, progress?: ScanProgress): Promise<ScanResult> {
  if (!existsSync(source.path!)) throw new SourceUnavailableError(`fullfiletimelist ${source.path} does not exist: is the master mounted?`)
  const root = source.root ?? dirname(source.path!)
  const contentRoot = source.subdir ? join(root, source.subdir) : root
  return scanListing(fullfiletimelistEntries(source), source.excludes, stored, sink, { contentRoot, progress })
}
