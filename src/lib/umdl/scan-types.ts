/** What scanning one source of a category produces, whatever the source type. */
import type { StoredFile } from '../master/short-file-list.js'
import type { Hashes } from '../master/checksums.js'

export interface ScannedDirectory {
  /** Relative to the category's top directory; "" is the top itself. */
  path: string
  /** Epoch seconds (rsync sources: the directory's mtime). 0 = unknown, re-read next run. */
  ctime: number
  /** World r+x here and in every parent. */
  readable: boolean
  /** Only for directories that changed (or are new): their files, before short-listing. */
  files?: StoredFile[]
  /** False when it could not be listed: its stored subtree is kept as it is. */
  listable: boolean
  /** Only for changed directories: file details found in them (repomd.xml, checksum files). */
  fileDetails?: FileDetailCandidate[]
}

/** A file detail found in a changed directory. */
export interface FileDetailCandidate extends Hashes {
  /** The directory, relative to the category's top. */
  path: string
  filename: string
  timestamp: number | null
  size: number | null
}

export interface ScanCounters {
  /** Directories whose entries were listed (readdir, or from the listing). */
  directoriesListed: number
  /** Files looked at one by one (stat or listing line) in changed directories: the per-file work. */
  filesRead: number
}

/** What a scan returns once every directory has gone to its sink. */
export interface ScanResult extends ScanCounters {
  warnings: string[]
}

/**
 * Where a scan hands each directory as soon as it is known, so that writing overlaps
 * walking and no file list is held until the end. Returns a promise only when the
 * scan must wait (the writer is a batch behind); the scan awaits it then, and only then.
 */
export type DirectorySink = (directory: ScannedDirectory) => Promise<void> | undefined

/** What a scan needs to know of one stored directory. */
export interface StoredEntry {
  ctime: number
  /**
   * Its position in the stored-state read (category-store.ts), when it came from there:
   * where a stat-ahead thread (stat-ahead.ts) puts its stat.
   */
  index?: number
}

/**
 * The stored state a scan compares with: relative path -> stored entry, and each
 * directory's stored subdirectories. One map serves the scan and the planner (the
 * entries are the planner's StoredDirectory objects): building a second one of 55,000
 * paths cost ~20 ms of a routine run.
 */
export interface StoredTree {
  directories: ReadonlyMap<string, StoredEntry>
  children: ReadonlyMap<string, readonly string[]>
}

export type ScanProgress = (directoriesSeen: number, directoriesChanged: number) => void

export function parentPath(path: string): string | null {
  if (path === '') return null
  const slash = path.lastIndexOf('/')
  return slash < 0 ? '' : path.slice(0, slash)
}

export function joinPath(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`
}

/** Builds the children index from stored relative paths. */
export function storedTree(directories: ReadonlyMap<string, StoredEntry>): StoredTree {
  const children = new Map<string, string[]>()
  for (const path of directories.keys()) {
    const parent = parentPath(path)
    if (parent === null) continue
    const name = path.slice(parent === '' ? 0 : parent.length + 1)
    const list = children.get(parent)
    if (list) list.push(name)
    else children.set(parent, [name])
  }
  return { directories, children }
}
