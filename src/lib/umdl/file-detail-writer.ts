/** Stores new file details (only those that differ from every stored one) and ages old ones. */
import type { Sql } from '../db/sql.js'
import { fileDetailsToAge } from '../master/aging.js'
import type { CategoryRow } from './category-store.js'
import type { FileDetailCandidate } from './scan-types.js'

interface StoredDetail {
  directoryId: number
  filename: string
  timestamp: number | null
  size: number | null
  md5: string | null
  sha1: string | null
  sha256: string | null
  sha512: string | null
}

const FIELDS = ['timestamp', 'size', 'md5', 'sha1', 'sha256', 'sha512'] as const

function sameDetail(a: StoredDetail, b: StoredDetail): boolean {
  return FIELDS.every((field) => (a[field] ?? null) === (b[field] ?? null))
}

/** Inserts the candidates that differ from every stored row of their (directory, file). */
export async function addFileDetails(tx: Sql, candidates: readonly FileDetailCandidate[], directoryIds: ReadonlyMap<string, number>): Promise<number> {
  const rows: StoredDetail[] = []
  for (const candidate of candidates) {
    const directoryId = directoryIds.get(candidate.path)
    if (directoryId === undefined) continue
    rows.push({
      directoryId,
      filename: candidate.filename,
      timestamp: candidate.timestamp,
      size: candidate.size,
      md5: candidate.md5 ?? null,
      sha1: candidate.sha1 ?? null,
      sha256: candidate.sha256 ?? null,
      sha512: candidate.sha512 ?? null,
    })
  }
  if (rows.length === 0) return 0
  const stored = await tx<StoredDetail[]>`
    select directory_id, filename, timestamp, size, md5, sha1, sha256, sha512
    from file_detail where directory_id = any(${[...new Set(rows.map((row) => row.directoryId))]}::int[])`
  const byKey = new Map<string, StoredDetail[]>()
  for (const row of stored) {
    const key = `${row.directoryId}\u0000${row.filename}`
    byKey.set(key, [...(byKey.get(key) ?? []), row])
  }
  const fresh = rows.filter((row) => !(byKey.get(`${row.directoryId}\u0000${row.filename}`) ?? []).some((old) => sameDetail(old, row)))
  for (let i = 0; i < fresh.length; i += 1000) {
    await tx`insert into file_detail ${tx(fresh.slice(i, i + 1000), 'directoryId', 'filename', 'timestamp', 'size', 'md5', 'sha1', 'sha256', 'sha512')}`
  }
  return fresh.length
}

/** Applies the aging rules (src/lib/master/aging.ts) to the category's file details. */
export async function ageFileDetails(tx: Sql, category: CategoryRow, now: number, days: number): Promise<number> {
  // Only (directory, file) pairs with two rows or more can lose one: the others stay here.
  const rows = await tx<{ id: number; directoryId: number; filename: string; timestamp: number | null }[]>`
    select fd.id, fd.directory_id, fd.filename, fd.timestamp
    from file_detail fd join category_directory cd on cd.directory_id = fd.directory_id
    where cd.category_id = ${category.id}
      and (fd.directory_id, fd.filename) in (select directory_id, filename from file_detail group by 1, 2 having count(*) > 1)`
  const doomed = fileDetailsToAge(rows, now, days)
  if (doomed.length > 0) await tx`delete from file_detail where id = any(${doomed}::int[])`
  return doomed.length
}
