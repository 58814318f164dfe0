/**
 * What a scan means for the stored directories of a category. Pure: the database work
 * is in directory-writer.ts. The planner takes directories one at a time, as the scan
 * streams them, and says at the end what is gone.
 */
import { shortFileList, type StoredFile } from '../master/short-file-list.js'
import type { StoredDirectory } from './category-store.js'
import type { ScannedDirectory } from './scan-types.js'

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

export class CategoryPlanner {
  readonly readableChanges: CategoryPlan['readableChanges'] = []
  private readonly seen = new Set<string>()
  private readonly unlistable: string[] = []
  /** Stored directories seen: when it reaches the stored count, nothing is gone. */
  private storedSeen = 0

  constructor(
    private readonly stored: ReadonlyMap<string, StoredDirectory>,
    private readonly shortListThreshold: number,
  ) {}

  /** Directories seen so far (each path once). */
  get seenCount(): number {
    return this.seen.size
  }

  /**
   * Plans one scanned directory: its upsert when it is new or changed, null when it is
   * not (a readable change is noted), undefined when an earlier source had the path
   * already (the first source wins a path).
   */
  add(directory: ScannedDirectory): DirectoryUpsert | null | undefined {
    if (this.seen.has(directory.path)) return undefined
    this.seen.add(directory.path)
    if (!directory.listable) this.unlistable.push(directory.path)
    const before = this.stored.get(directory.path)
    if (before) this.storedSeen++
    if (directory.files !== undefined) {
      return {
        path: directory.path,
        ctime: directory.ctime,
        readable: directory.readable,
        files: shortFileList(directory.files, this.shortListThreshold),
        isNew: before === undefined,
      }
    }
    if (before && before.readable !== directory.readable) this.readableChanges.push({ id: before.id, readable: directory.readable })
    return null
  }

  /** Stored directories no source had; call once every source is scanned. */
  gone(): CategoryPlan['gone'] {
    const gone: CategoryPlan['gone'] = []
    // The usual run: every stored directory is still there (no walk over them all).
    if (this.storedSeen === this.stored.size) return gone
    for (const [path, directory] of this.stored) {
      if (path === '' || this.seen.has(path) || underAny(path, this.unlistable)) continue
      gone.push({ id: directory.id, path })
    }
    return gone
  }
}

/** The whole plan of a list of scanned directories at once. */
export function planCategory(stored: ReadonlyMap<string, StoredDirectory>, directories: readonly ScannedDirectory[], shortListThreshold: number): CategoryPlan {
  const planner = new CategoryPlanner(stored, shortListThreshold)
  const upserts: DirectoryUpsert[] = []
  for (const directory of directories) {
    const upsert = planner.add(directory)
    if (upsert) upserts.push(upsert)
  }
  return { upserts, readableChanges: planner.readableChanges, gone: planner.gone() }
}
