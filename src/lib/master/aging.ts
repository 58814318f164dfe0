/**
 * Aging of file details. Old versions of repomd.xml are the metalink alternates: a
 * mirror that is a few hours behind still serves the previous one, and dnf accepts it.
 *
 * Per (directory, file): the newest row is always kept, however old. The previous one is
 * kept until the newest is (days - 1) days old: mirrors have had time to catch up. Older
 * rows go once they are more than `days` days old.
 */

export interface AgeableFileDetail {
  id: number
  directoryId: number
  filename: string
  /** epoch seconds; null sorts oldest */
  timestamp: number | null
}

const DAY = 86_400

/** Ids of the rows to delete. Pure: `now` is epoch seconds. */
export function fileDetailsToAge(rows: readonly AgeableFileDetail[], now: number, days: number): number[] {
  const groups = new Map<string, AgeableFileDetail[]>()
  for (const row of rows) {
    const key = `${row.directoryId}\u0000${row.filename}`
    const group = groups.get(key)
    if (group) group.push(row)
    else groups.set(key, [row])
  }
  const doomed: number[] = []
  for (const group of groups.values()) {
    if (group.length < 2) continue
    group.sort((a, b) => (b.timestamp ?? -Infinity) - (a.timestamp ?? -Infinity) || b.id - a.id)
    const newest = group[0].timestamp ?? 0
    if (now - newest >= (days - 1) * DAY) doomed.push(group[1].id)
    for (const row of group.slice(2)) {
      if (now - (row.timestamp ?? 0) > days * DAY) doomed.push(row.id)
    }
  }
  return doomed
}
