import type { Sql } from '../db/sql.js'

/** One repository repointed from one master directory to another. */
export interface RepositoryMove {
  repositoryId: number
  prefix: string | null
  arch: string | null
  from: string
  to: string
  toDirectoryId: number
  /** Set when the repository also changes category (move-to-archive). */
  toCategoryId?: number
}

/** A repository left where it was, and why. */
export interface RepositorySkip {
  repositoryId: number
  prefix: string | null
  arch: string | null
  directory: string
  reason: string
}

export interface RepositoryMoveResult {
  dryRun: boolean
  moves: RepositoryMove[]
  skipped: RepositorySkip[]
}

/** The line printed per move, as MirrorManager2 printed it: `old => new`. */
export function formatMove(move: Pick<RepositoryMove, 'from' | 'to'>): string {
  return `${move.from} => ${move.to}`
}

export async function applyRepositoryMoves(tx: Sql, moves: RepositoryMove[]): Promise<void> {
  for (const move of moves) {
    await tx`
      update repository
      set directory_id = ${move.toDirectoryId},
          category_id = coalesce(${move.toCategoryId ?? null}::integer, category_id)
      where id = ${move.repositoryId}`
  }
}

export interface RepositoryRow {
  id: number
  prefix: string | null
  arch: string | null
  categoryId: number
  directory: string
}

/** Directory ids by full path, for the candidate targets of a move. */
export async function directoryIdsByName(sql: Sql, names: string[]): Promise<Map<string, number>> {
  if (names.length === 0) return new Map()
  const rows = await sql<{ id: number; name: string }[]>`select id, name from directory where name = any(${names}::text[])`
  return new Map(rows.map((row) => [row.name, row.id]))
}
