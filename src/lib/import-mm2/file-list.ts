/** One entry of a directory's short file list, as stored in directory.files. */
export interface FileListEntry {
  name: string
  size: number
  timestamp: number
}

export type LegacyFileList = { files: FileListEntry[] } | { pickled: true } | { invalid: string }

/**
 * MirrorManager2 stored a directory's files as JSON text: a list of
 * `{"name", "size", "timestamp"}`, or in some versions a dict of name ->
 * `{"size", "stat"|"timestamp"}`. Very old rows hold a Python pickle, which we do not
 * execute: those are reported and left empty (umdl reads the directory again).
 */
export function parseLegacyFileList(text: string | null): LegacyFileList {
  const trimmed = (text ?? '').trim()
  if (!trimmed) return { files: [] }
  if (!trimmed.startsWith('[') && !trimmed.startsWith('{')) return { pickled: true }
  let parsed: unknown
  try {
    parsed = JSON.parse(trimmed)
  } catch (error) {
    return { invalid: `file list is not JSON: ${(error as Error).message}` }
  }
  const entries = Array.isArray(parsed)
    ? parsed.map((item) => entry((item as Record<string, unknown>)?.name, item))
    : Object.entries(parsed as Record<string, unknown>).map(([name, item]) => entry(name, item))
  if (entries.some((item) => item === null)) return { invalid: 'file list entries without a name' }
  return { files: entries as FileListEntry[] }
}

function entry(name: unknown, item: unknown): FileListEntry | null {
  if (typeof name !== 'string' || !name || typeof item !== 'object' || item === null) return null
  const fields = item as Record<string, unknown>
  return { name, size: number(fields.size), timestamp: number(fields.timestamp ?? fields.stat ?? fields.mtime) }
}

function number(value: unknown): number {
  const parsed = Number(value)
  return Number.isFinite(parsed) ? parsed : 0
}
