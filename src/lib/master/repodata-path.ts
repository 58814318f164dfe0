/**
 * "Is this a repodata directory": a directory named `repodata` (the category's own, or at
 * the end of a longer path) holds a repository's metadata, `repodata/repomd.xml`. The one
 * rule for umdl, crawl and selection; works on full names and on category-relative paths.
 */

const REPODATA = 'repodata'

export function isRepodataPath(path: string): boolean {
  return path === REPODATA || path.endsWith(`/${REPODATA}`)
}

/** The repository directory a repodata directory belongs to (`''` for a top-level `repodata`), else null. */
export function repositoryPathOf(repodataPath: string): string | null {
  if (!isRepodataPath(repodataPath)) return null
  return repodataPath.slice(0, Math.max(0, repodataPath.length - REPODATA.length - 1))
}

/** The repodata directory of a repository directory (a repodata directory is its own). */
export function repodataPathOf(path: string): string {
  if (isRepodataPath(path)) return path
  return path === '' ? REPODATA : `${path}/${REPODATA}`
}
