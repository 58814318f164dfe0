/**
 * Scans a local directory source (e.g. the NFS-mounted master). The rule that makes an
 * unchanged tree cheap: a directory whose ctime equals the stored one has the same
 * entries as last time, so it is neither listed nor are its files looked at; its stored
 * subdirectories are visited directly. An unchanged tree costs one stat per directory.
 *
 * Synchronous fs calls on purpose: metadata of a warm tree comes from the kernel's cache
 * and statSync is several times faster than a promise round trip per call (measured: a
 * thread-pool walk of the bench tree took 2–4× as long, with more system time). The walk
 * usually runs in a worker thread (scan-worker.ts) so that it goes on while this thread
 * writes — on the embedded database, PGlite runs in this thread. Each directory goes to
 * the sink as soon as it is known.
 *
 * The walk runs with the working directory at the source's top and uses paths relative
 * to it (inSourceDirectory): the kernel then resolves 2–4 path components per stat
 * instead of every component from /, as find does with its directory descriptors
 * (measured on the bench tree, readdir + stat of every entry: 2.1–2.3 s instead of
 * 2.4–3.2 s).
 */
import { constants, readdirSync, statSync, type Dirent, type Stats } from 'node:fs'
import { resolve } from 'node:path'
import { SourceUnavailableError } from '../errors.js'
import type { StoredFile } from '../master/short-file-list.js'
import { isChildExcluded, isExcluded } from './excludes.js'
import { fileDetailsOf } from './file-details.js'
import type { DirectoryStat, StatAhead } from './stat-ahead.js'
import { joinPath, type DirectorySink, type ScanProgress, type ScanResult, type ScannedDirectory, type StoredTree } from './scan-types.js'

const YIELD_EVERY = 2000
/**
 * A directory changed less than this long before we looked may change again within the
 * same second after our listing, and keep its (second-resolution) ctime: "racily clean".
 * It is stored with ctime 0 so the next run reads it again.
 */
const RACY_MS = 2000
const WORLD_READ_EXECUTE = 0o005
const { S_IFMT, S_IFDIR } = constants

interface Pending {
  path: string
  parentReadable: boolean
}

function statOrNull(path: string): Stats | null {
  try {
    // throwIfNoEntry: a vanished entry is common enough that an exception each is measurable.
    return statSync(path, { throwIfNoEntry: false }) ?? null
  } catch {
    return null // unreadable, a symlink loop
  }
}

export function checkTop(root: string): void {
  let entries: string[]
  try {
    if (!statSync(root).isDirectory()) throw new Error('not a directory')
    entries = readdirSync(root)
  } catch (error) {
    throw new SourceUnavailableError(`source ${root} cannot be read: ${(error as Error).message}`, { cause: error })
  }
  if (entries.length === 0) throw new SourceUnavailableError(`source ${root} is empty: is it mounted?`)
}

/**
 * Runs a walk of `top` with the process's working directory there (see the top of this
 * file), and back where it was afterwards, also on failure. The process's: library code
 * that runs during a walk must not use relative paths (the embedded database's data
 * directory is absolute, embedded.ts). Without a working directory to return to (it was
 * removed), it does not move: the walk uses absolute paths.
 */
export async function inSourceDirectory<T>(top: string, work: (base: string) => Promise<T>): Promise<T> {
  let before: string
  try {
    before = process.cwd()
    process.chdir(top)
  } catch {
    return work(resolve(top))
  }
  try {
    return await work('')
  } finally {
    process.chdir(before)
  }
}

/** A path relative to the top as the walk reaches it: from the working directory when base is "", else under base. */
function located(base: string, path: string): string {
  if (base === '') return path === '' ? '.' : path
  return path === '' ? base : `${base}/${path}` // path.join's normalising is measurable here
}

/** Lists a changed directory: files (stat'ed) and subdirectories to visit. */
function listDirectory(where: string, named: string, path: string, excludes: readonly RegExp[], result: ScanResult): { files: StoredFile[]; subdirectories: string[] } | null {
  let entries: Dirent[]
  try {
    entries = readdirSync(where, { withFileTypes: true })
  } catch (error) {
    result.warnings.push(`cannot list ${named}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
    return null
  }
  result.directoriesListed++
  const files: StoredFile[] = []
  const subdirectories: string[] = []
  for (const entry of entries) {
    if (isChildExcluded(entry.name, excludes.length === 0 ? '' : joinPath(path, entry.name), excludes)) continue
    if (entry.isDirectory()) {
      subdirectories.push(entry.name)
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      result.filesRead++
      const stats = statOrNull(`${where}/${entry.name}`) // follows symlinks: the size a mirror serves
      if (stats?.isFile()) files.push({ name: entry.name, size: stats.size, timestamp: Math.floor(stats.mtimeMs / 1000) })
    }
  }
  return { files, subdirectories }
}

/** A stored directory's stat from the stat-ahead worker when it has it, else from here. */
function directoryStat(where: string, index: number | undefined, ahead: StatAhead | undefined): DirectoryStat | null {
  if (ahead && index !== undefined) {
    const known = ahead.take(index)
    if (known !== undefined) return known
  }
  return statOrNull(where)
}

/**
 * Walks a directory source, yielding each directory as soon as it is known (its
 * subdirectories are queued first). Synchronous: it runs in the scan worker
 * (scan-worker.ts), or in this thread. `base`: "" when the working directory is the top
 * (inSourceDirectory), else the top's absolute path. `ahead`: stats of stored
 * directories made by another thread (stat-ahead.ts), routine runs in this thread only.
 */
export function* walkDirectorySource(top: string, base: string, excludes: readonly RegExp[], stored: StoredTree, result: ScanResult, ahead?: StatAhead): Generator<ScannedDirectory> {
  const root = top.endsWith('/') && top.length > 1 ? top.slice(0, -1) : top
  const stack: Pending[] = [{ path: '', parentReadable: true }]
  // From the first stat on, whichever thread made it (the stat-ahead worker may have
  // started before this walk): a directory changed within RACY_MS of it is never trusted.
  const racyAfter = Math.min(Date.now(), ahead?.startedAt ?? Infinity) - RACY_MS
  while (stack.length > 0) {
    const { path, parentReadable } = stack.pop()!
    const where = located(base, path)
    const before = stored.directories.get(path)
    const stats = directoryStat(where, before?.index, ahead)
    if (!stats || (stats.mode & S_IFMT) !== S_IFDIR) continue // gone since its parent was read: reported as gone
    const ctime = Math.floor(stats.ctimeMs / 1000)
    const readable = parentReadable && (stats.mode & WORLD_READ_EXECUTE) === WORLD_READ_EXECUTE
    const directory: ScannedDirectory = { path, ctime: stats.ctimeMs > racyAfter ? 0 : ctime, readable, listable: true }
    let subdirectories: readonly string[]
    if (before?.ctime === ctime) {
      // Same ctime, same entries: visit the stored subdirectories without listing (a changed exclude still applies).
      const children = stored.children.get(path) ?? []
      subdirectories = excludes.length === 0 ? children : children.filter((name) => !isExcluded(joinPath(path, name), excludes))
    } else {
      const named = path === '' ? root : `${root}/${path}` // as configured, for messages
      const listing = listDirectory(where, named, path, excludes, result)
      if (listing) {
        directory.files = listing.files
        subdirectories = listing.subdirectories
        const details = fileDetailsOf(where, path, listing.files)
        if (details.length > 0) directory.fileDetails = details
      } else {
        Object.assign(directory, { listable: false, ctime: 0, files: [] })
        subdirectories = []
      }
    }
    for (const name of subdirectories) stack.push({ path: joinPath(path, name), parentReadable: readable })
    yield directory
  }
}

/** Scans a directory source in this thread (see scan-worker.ts for the usual way); `ahead`: see walkDirectorySource. */
export async function scanDirectorySourceHere(top: string, excludes: readonly RegExp[], stored: StoredTree, sink: DirectorySink, progress?: ScanProgress, ahead?: StatAhead): Promise<ScanResult> {
  checkTop(top)
  return inSourceDirectory(top, async (base) => {
    // The stat-ahead worker's stats are then relative to the top too (stat-ahead-worker.ts);
    // told before the working directory moves back.
    ahead?.workingDirectoryIsTop(base === '')
    try {
      return await walkHere(top, base, excludes, stored, sink, progress, ahead)
    } finally {
      ahead?.workingDirectoryIsTop(false)
    }
  })
}

async function walkHere(top: string, base: string, excludes: readonly RegExp[], stored: StoredTree, sink: DirectorySink, progress: ScanProgress | undefined, ahead: StatAhead | undefined): Promise<ScanResult> {
  const result: ScanResult = { warnings: [], directoriesListed: 0, filesRead: 0 }
  let seen = 0
  let changed = 0
  for (const directory of walkDirectorySource(top, base, excludes, stored, result, ahead)) {
    if (directory.files !== undefined) changed++
    const wait = sink(directory)
    if (wait) await wait
    if (++seen % YIELD_EVERY === 0) {
      progress?.(seen, changed)
      if (!wait) await new Promise((resolve) => setImmediate(resolve))
    }
  }
  progress?.(seen, changed)
  return result
}
