/**
 * What a scan means for the stored directories of a category. Pure: the database work
 * is in category-writer.ts.
 */
import { shortFileList, type StoredFile } from '../master/short-file-list.js'
import type { StoredDirectory } from './category-store.js'
import type { ScanResult } from './scan-types.js'

export interface DirectoryUpsert {
  path: string
  ctime: number
  readable: boolean
  files: StoredFile[]
  isNew: boolean
}

export interface CategoryPlan {
  /** New directories and directories whose ctime changed. */
  upserts: DirectoryUpsert[]
  /** Unchanged directories whose readable flag changed (a parent's permissions changed). */
  readableChanges: { id: number; readable: boolean }[]
  /** Stored directories the source no longer has (never the top, never under an unlistable directory). */
  gone: { id: number; path: string }[]
}

function underAny(path: string, prefixes: readonly string[]): boolean {
  return prefixes.some((prefix) => path.startsWith(`${prefix}/`))
}

export function planCategory(stored: ReadonlyMap<string, StoredDirectory>, scan: ScanResult, shortListThreshold: number): CategoryPlan {
  const upserts: DirectoryUpsert[] = []
  const readableChanges: CategoryPlan['readableChanges'] = []
  const seen = new Set<string>()
  const unlistable: string[] = []
  for (const directory of scan.directories) {
    seen.add(directory.path)
    if (!directory.listable) unlistable.push(directory.path)
    const before = stored.get(directory.path)
    if (directory.files !== undefined) {
      upserts.push({
        path: directory.path,
        ctime: directory.ctime,
        readable: directory.readable,
        files: shortFileList(directory.files, shortListThreshold),
        isNew: before === undefined,
      })
    } else if (before && before.readable !== directory.readable) {
      readableChanges.push({ id: before.id, readable: directory.readable })
    }
  }
  const gone: CategoryPlan['gone'] = []
  for (const [path, directory] of stored) {
    if (path === '' || seen.has(path) || underAny(path, unlistable)) continue
    gone.push({ id: directory.id, path })
  }
  return { upserts, readableChanges, gone }
}
