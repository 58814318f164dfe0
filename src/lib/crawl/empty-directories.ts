import type { DirectoryVerdict, MasterDirectory } from './types.js'

function parentOf(path: string): string | undefined {
  if (path === '') return undefined
  const slash = path.lastIndexOf('/')
  return slash === -1 ? '' : path.slice(0, slash)
}

/**
 * A master directory without files (`releases/41/Everything/x86_64/os` holds only
 * `Packages/` and `repodata/`) cannot be checked file by file. MirrorManager2 calls an empty
 * directory up to date; taken alone, that offers a mirror lacking a whole release for
 * `repo=fedora-41`. So an empty directory is up to date only when it has no
 * subdirectories, or when at least one of them was confirmed up to date on this mirror:
 * the tree below it is really there. Deepest first, so the rule climbs the tree.
 */
export function settleEmptyDirectories(
  directories: readonly MasterDirectory[],
  verdicts: Map<number, DirectoryVerdict>,
): Map<number, DirectoryVerdict> {
  const byPath = new Map(directories.map((directory) => [directory.path, directory]))
  const hasChildren = new Set<string>()
  for (const directory of directories) {
    const parent = parentOf(directory.path)
    if (parent !== undefined && byPath.has(parent)) hasChildren.add(parent)
  }
  const confirmedChild = new Set<string>()
  const depth = (path: string) => (path === '' ? 0 : path.split('/').length)
  const deepestFirst = [...directories].sort((a, b) => depth(b.path) - depth(a.path))
  for (const directory of deepestFirst) {
    if (directory.files.length === 0 && hasChildren.has(directory.path)) {
      verdicts.set(directory.id, confirmedChild.has(directory.path) ? 'up2date' : 'stale')
    }
    const parent = parentOf(directory.path)
    if (parent !== undefined && verdicts.get(directory.id) === 'up2date') confirmedChild.add(parent)
  }
  return verdicts
}
