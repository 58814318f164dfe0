/**
 * The file list stored per directory. Package directories hold thousands of files; the
 * crawler only needs a few to judge a mirror, so when a directory holds more than
 * `threshold` files of one of the kinds .rpm .drpm .hdr .html, only the 3 newest of that
 * kind are kept. Every other file is kept.
 */

export interface StoredFile {
  name: string
  size: number
  /** mtime, epoch seconds */
  timestamp: number
}

export const SHORT_LIST_KINDS = ['.rpm', '.drpm', '.hdr', '.html'] as const
const KEEP_NEWEST = 3

function kindOf(name: string): string | undefined {
  return SHORT_LIST_KINDS.find((kind) => name.endsWith(kind))
}

/** Files sorted by name, short-listed per kind. Pure. */
export function shortFileList(files: readonly StoredFile[], threshold = 10): StoredFile[] {
  const byKind = new Map<string, StoredFile[]>()
  const kept: StoredFile[] = []
  for (const file of files) {
    const kind = kindOf(file.name)
    if (kind === undefined) {
      kept.push(file)
      continue
    }
    const group = byKind.get(kind) // push, not spread: a Packages directory has tens of thousands of rpms
    if (group) group.push(file)
    else byKind.set(kind, [file])
  }
  for (const group of byKind.values()) {
    if (group.length <= threshold) kept.push(...group)
    else kept.push(...[...group].sort((a, b) => b.timestamp - a.timestamp || (a.name < b.name ? -1 : 1)).slice(0, KEEP_NEWEST))
  }
  return kept.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}
