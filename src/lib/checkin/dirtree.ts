import { lstatSync, opendirSync, statSync, type Dirent } from 'node:fs'
import { ConfigError } from '../errors.js'
import type { Logger } from '../log.js'

/**
 * The `dirtree` of one category, built as the existing client builds it with Python's
 * `os.walk(path)`: every directory below `path` (relative; "" for the top) maps to an
 * empty object, in walk order (top-down, depth first, directory-read order), so the
 * JSON is byte-identical. Symbolic links to directories are not followed and not listed.
 * A directory whose path contains an exclude pattern (a substring of "<path>/", as
 * `--exclude-from` gives them) is left out with everything below it.
 */
export type DirTree = Map<string, Record<string, never>>

export function buildDirTree(top: string, excludePatterns: readonly string[], logger: Logger): DirTree {
  let isDirectory = false
  try {
    isDirectory = statSync(top).isDirectory()
  } catch {
    // reported below
  }
  // The original sent an empty tree here, and the server dropped every directory of the
  // host: a failed mount must not look like an empty mirror.
  if (!isDirectory) throw new ConfigError(`category path ${top} is not a directory`, { key: 'path' })
  const tree: DirTree = new Map()
  const prefixLength = top.endsWith('/') ? top.length : top.length + 1
  // An explicit stack of "directories still to walk", last = next: depth-first, in order.
  const pending: string[] = [top]
  while (pending.length > 0) {
    const dirpath = pending.pop()!
    const subdirs = readSubdirectories(dirpath, logger)
    if (subdirs === undefined) continue // unreadable: os.walk skips it silently; we warn
    tree.set(dirpath.length > top.length ? dirpath.slice(prefixLength) : '', {})
    const kept = subdirs.filter((name) => !isExcluded(joinPath(dirpath, name), excludePatterns))
    for (let i = kept.length - 1; i >= 0; i--) pending.push(joinPath(dirpath, kept[i]))
  }
  return tree
}

/** os.path.join of a directory and a name. */
function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`
}

function isExcluded(path: string, patterns: readonly string[]): boolean {
  const withSlash = `${path}/`
  return patterns.some((pattern) => withSlash.includes(pattern))
}

/** Real subdirectories (not symlinks), in the order the directory is read (as scandir). */
function readSubdirectories(path: string, logger: Logger): string[] | undefined {
  let dir
  try {
    dir = opendirSync(path)
  } catch (error) {
    logger.warn(`skipping ${path}: ${(error as Error).message}`)
    return undefined
  }
  const names: string[] = []
  try {
    for (let entry = dir.readSync(); entry !== null; entry = dir.readSync()) {
      if (isRealDirectory(path, entry)) names.push(entry.name)
    }
  } finally {
    dir.closeSync()
  }
  return names
}

/** Some file systems do not report entry types (DT_UNKNOWN): then lstat, as scandir does. */
function isRealDirectory(parent: string, entry: Dirent): boolean {
  if (entry.isDirectory()) return true
  const known = entry.isFile() || entry.isSymbolicLink() || entry.isFIFO() || entry.isSocket() || entry.isBlockDevice() || entry.isCharacterDevice()
  if (known) return false
  try {
    return lstatSync(joinPath(parent, entry.name)).isDirectory()
  } catch {
    return false
  }
}

/** Exclude patterns from a file: one per line, stripped; `#` comments and blank lines skipped. */
export function parseExcludePatterns(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
}
