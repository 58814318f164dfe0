import type { Sql } from '../db/sql.js'

/** The id of a directory row, created (empty, readable) if it does not exist yet. */
export async function ensureDirectory(sql: Sql, path: string): Promise<number> {
  const [created] = await sql<{ id: number }[]>`
    insert into directory (name) values (${path}) on conflict (name) do nothing returning id`
  if (created) return created.id
  const [existing] = await sql<{ id: number }[]>`select id from directory where name = ${path}`
  return existing.id
}
