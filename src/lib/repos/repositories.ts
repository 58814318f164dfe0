import type { Sql } from '../db/sql.js'
import { NotFoundError, UsageError } from '../errors.js'

export interface Repository {
  id: number
  name: string
  prefix: string | null
  arch: string | null
  category: string
  product: string | null
  version: string | null
  directory: string
  disabled: boolean
}

export interface RepositoryFilter {
  category?: string
  product?: string
  version?: string
  arch?: string
  disabled?: boolean
}

export const REPOSITORY_REFERENCE_HELP = 'A repository: its numeric id, or its prefix (as in ?repo=) with --arch.'

function selectRepositories(sql: Sql) {
  return sql`select r.id, r.name, r.prefix, a.name as arch, c.name as category, p.name as product, v.name as version,
      d.name as directory, r.disabled
    from repository r join category c on c.id = r.category_id join directory d on d.id = r.directory_id
    left join arch a on a.id = r.arch_id left join version v on v.id = r.version_id left join product p on p.id = v.product_id`
}

export async function listRepositories(sql: Sql, filter: RepositoryFilter = {}): Promise<Repository[]> {
  const condition = (value: unknown, fragment: ReturnType<Sql>) => (value === undefined ? sql`true` : fragment)
  return sql<Repository[]>`${selectRepositories(sql)}
    where ${condition(filter.category, sql`c.name = ${filter.category ?? ''}`)}
      and ${condition(filter.product, sql`p.name = ${filter.product ?? ''}`)}
      and ${condition(filter.version, sql`v.name = ${filter.version ?? ''}`)}
      and ${condition(filter.arch, sql`a.name = ${filter.arch ?? ''}`)}
      and ${condition(filter.disabled, sql`r.disabled = ${filter.disabled ?? false}`)}
    order by r.prefix nulls last, a.name, r.id`
}

/** A repository by id, or by prefix and arch (the pair clients ask for). */
export async function getRepository(sql: Sql, reference: string, arch?: string): Promise<Repository> {
  const byId = /^\d+$/.test(reference) && arch === undefined
  if (!byId && arch === undefined) throw new UsageError(`repository "${reference}": give its numeric id, or the prefix with --arch`)
  const [repository] = byId
    ? await sql<Repository[]>`${selectRepositories(sql)} where r.id = ${Number(reference)}`
    : await sql<Repository[]>`${selectRepositories(sql)} where r.prefix = ${reference} and a.name = ${arch ?? ''}`
  if (!repository) {
    throw new NotFoundError(`no repository ${byId ? `with id ${reference}` : `"${reference}" for arch "${arch}"`} (see \`mirrormanager repo list\`)`)
  }
  return repository
}

/** Disabled repositories are left out of the snapshot: clients get "no mirrors" for them. */
export async function setRepositoryDisabled(sql: Sql, reference: string, arch: string | undefined, disabled: boolean): Promise<Repository> {
  const repository = await getRepository(sql, reference, arch)
  await sql`update repository set disabled = ${disabled} where id = ${repository.id}`
  return { ...repository, disabled }
}
