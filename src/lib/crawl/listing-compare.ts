/**
 * Comparing a mirror's whole-tree listing (fullfiletimelist or rsync) with the master's
 * short file lists. Only entries the master asks about are kept, so memory stays
 * bounded by the master's lists, not by the size of the mirror's listing.
 */
import type { DirectoryVerdict, MasterDirectory } from './types.js'

/** A file's size as listed by the mirror, or 'link' (a symlink counts as present). */
export type ListedFile = number | 'link'

export class ListingCollector {
  private readonly wanted = new Set<string>()
  readonly found = new Map<string, ListedFile>()

  constructor(directories: readonly MasterDirectory[]) {
    for (const directory of directories) {
      for (const file of directory.files) this.wanted.add(directory.path ? `${directory.path}/${file.name}` : file.name)
    }
  }

  /** Records one listing entry (path relative to the category top). */
  add(path: string, type: string, size: number): void {
    const clean = path.startsWith('./') ? path.slice(2) : path
    if (!this.wanted.has(clean)) return
    if (type === 'l') this.found.set(clean, 'link')
    else if (type === 'f') this.found.set(clean, size)
  }

  /** Up to date when every stored file is listed with the master's size (an empty directory is up to date). */
  verdicts(directories: readonly MasterDirectory[]): Map<number, DirectoryVerdict> {
    const verdicts = new Map<number, DirectoryVerdict>()
    for (const directory of directories) {
      const complete = directory.files.every((file) => {
        const listed = this.found.get(directory.path ? `${directory.path}/${file.name}` : file.name)
        return listed === 'link' || listed === file.size
      })
      verdicts.set(directory.id, complete ? 'up2date' : 'stale')
    }
    return verdicts
  }
}
