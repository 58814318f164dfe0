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
  /**
   * Which stored directories were seen, by their position in the stored-state read
   * (StoredDirectory.index): a routine run sees every one of ~55,000, and a byte each
   * costs less than adding each path to a set (~15–25 ms of a run, measured).
   */
  private readonly seenStored: Uint8Array
  /** Paths seen that have no such position: new directories (and stored ones without an index). */
  private readonly seenOther = new Set<string>()
  private readonly unlistable: string[] = []
  /** Stored directories seen: when it reaches the stored count, nothing is gone. */
  private storedSeen = 0
  /** Paths seen (each once). */
  private seen = 0

  constructor(
    private readonly stored: ReadonlyMap<string, StoredDirectory>,
    private readonly shortListThreshold: number,
  ) {
    this.seenStored = new Uint8Array(stored.size)
  }

  /** Directories seen so far (each path once). */
  get seenCount(): number {
    return this.seen
  }

  /** Notes the path as seen; false when it was seen already. */
  private see(path: string, before: StoredDirectory | undefined): boolean {
    const index = before?.index
    if (index !== undefined && index < this.seenStored.length) {
      if (this.seenStored[index] !== 0) return false
      this.seenStored[index] = 1
    } else {
      if (this.seenOther.has(path)) return false
      this.seenOther.add(path)
    }
    this.seen++
    if (before) this.storedSeen++
    return true
  }

  private wasSeen(path: string, directory: StoredDirectory): boolean {
    const index = directory.index
    return index !== undefined && index < this.seenStored.length ? this.seenStored[index] !== 0 : this.seenOther.has(path)
  }

  /**
   * Plans one scanned directory: its upsert when it is new or changed, null when it is
   * not (a readable change is noted), undefined when an earlier source had the path
   * already (the first source wins a path).
   */
  add(directory: ScannedDirectory): DirectoryUpsert | null | undefined {
    const before = this.stored.get(directory.path)
    if (!this.see(directory.path, before)) return undefined
    if (!directory.listable) this.unlistable.push(directory.path)
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
      if (path === '' || this.wasSeen(path, directory) || underAny(path, this.unlistable)) continue
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
