/**
 * The embedded database's files are private to the user running mirrormanager: site
 * password hashes are in its catalogs and WAL, and pg_control must not be writable by
 * anyone else. PGlite's file system sets modes itself, whatever the process umask (its
 * initial data directory comes out 0666, and PostgreSQL rewrites a few files such as
 * pg_internal.init 0644), so the umask cannot do this: the data directory is made 0700
 * before anything is opened (which alone keeps other users out of everything inside),
 * and every file under it is set to 0600 (directories 0700) on open and again on close.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

export const PRIVATE_DIR_MODE = 0o700
export const PRIVATE_FILE_MODE = 0o600

/** Creates `dir` (0700) if needed; makes it 0700. Returns true when its mode had to change. */
export function privateDirectory(dir: string): boolean {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
  return restrict(dir, lstatSync(dir).mode, PRIVATE_DIR_MODE)
}

function restrict(path: string, mode: number, wanted: number): boolean {
  if ((mode & 0o777) === wanted) return false
  chmodSync(path, wanted)
  return true
}

/**
 * Sets every directory under `root` (and `root`) to 0700 and every file to 0600; symbolic
 * links are neither followed nor changed. Returns how many entries it changed.
 */
export function restrictTree(root: string): number {
  let changed = 0
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) {
        if (restrict(path, lstatSync(path).mode, PRIVATE_DIR_MODE)) changed++
        walk(path)
      } else if (entry.isFile()) {
        if (restrict(path, lstatSync(path).mode, PRIVATE_FILE_MODE)) changed++
      }
    }
  }
  if (restrict(root, lstatSync(root).mode, PRIVATE_DIR_MODE)) changed++
  walk(root)
  return changed
}
