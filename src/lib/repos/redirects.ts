import { uniquely } from '../db/conflicts.js'
import type { Sql } from '../db/sql.js'
import { ConflictError, NotFoundError } from '../errors.js'
import { requireName } from '../validate/name.js'

/** A client asking for `fromRepo` is answered as if it had asked for `toRepo`. */
export interface RepositoryRedirect {
  id: number
  fromRepo: string
  toRepo: string
}

export async function addRepositoryRedirect(sql: Sql, from: string, to: string): Promise<RepositoryRedirect> {
  const fromRepo = requireName(from, 'from')
  const toRepo = requireName(to, 'to')
  if (fromRepo === toRepo) throw new ConflictError(`a redirect from "${fromRepo}" to itself would loop; give a different target`)
  const [loop] = await sql`select 1 from repository_redirect where from_repo = ${toRepo} and to_repo = ${fromRepo}`
  if (loop) throw new ConflictError(`"${toRepo}" already redirects to "${fromRepo}"; adding the reverse would loop`)
  const [redirect] = await uniquely(
    sql<RepositoryRedirect[]>`insert into repository_redirect (from_repo, to_repo) values (${fromRepo}, ${toRepo}) returning *`,
    `"${fromRepo}" is already redirected (see \`mirrormanager repo redirect list\`); remove it first`,
  )
  return redirect
}

export async function listRepositoryRedirects(sql: Sql): Promise<RepositoryRedirect[]> {
  return sql<RepositoryRedirect[]>`select * from repository_redirect order by from_repo`
}

export async function removeRepositoryRedirect(sql: Sql, from: string): Promise<RepositoryRedirect> {
  const [removed] = await sql<RepositoryRedirect[]>`delete from repository_redirect where from_repo = ${from} returning *`
  if (!removed) throw new NotFoundError(`no redirect from "${from}" (see \`mirrormanager repo redirect list\`)`)
  return removed
}
