/**
 * Propagation as `crawl propagation` records it (propagation_stat: one row per repository
 * per run): the repositories that have measurements, and one repository's series.
 */
import type { Sql } from '../db/sql.js'
import { NotFoundError } from '../errors.js'

export interface PropagationRepository {
  id: number
  prefix: string
  arch: string | null
  product: string | null
  version: string | null
  measurements: number
  last: string
}

export interface PropagationPoint {
  /** ISO timestamp of the run */
  datetime: string
  sameDay: number
  oneDay: number
  twoDay: number
  older: number
  noInfo: number
}

export interface PropagationSeries {
  repository: PropagationRepository
  points: PropagationPoint[]
}

const REPOSITORY_COLUMNS = (sql: Sql) => sql`
  r.id, r.prefix, a.name as arch, p.name as product, v.name as version,
  count(ps.id)::int as measurements, max(ps.datetime) as last`

interface RepositoryRow extends Omit<PropagationRepository, 'last'> {
  last: Date
}

const toRepository = (row: RepositoryRow): PropagationRepository => ({ ...row, last: row.last.toISOString() })

export async function propagationRepositories(sql: Sql): Promise<PropagationRepository[]> {
  const rows = await sql<RepositoryRow[]>`
    select ${REPOSITORY_COLUMNS(sql)}
    from propagation_stat ps
    join repository r on r.id = ps.repository_id
    left join arch a on a.id = r.arch_id
    left join version v on v.id = r.version_id
    left join product p on p.id = v.product_id
    group by r.id, a.name, p.name, v.name
    order by lower(p.name), lower(v.name), r.prefix, a.name`
  return rows.map(toRepository)
}

/** Measurements of one repository, oldest first; the last `days` days when given. */
export async function propagationSeries(sql: Sql, repositoryId: number, days?: number): Promise<PropagationSeries> {
  const [row] = await sql<RepositoryRow[]>`
    select ${REPOSITORY_COLUMNS(sql)}
    from repository r
    join propagation_stat ps on ps.repository_id = r.id
    left join arch a on a.id = r.arch_id
    left join version v on v.id = r.version_id
    left join product p on p.id = v.product_id
    where r.id = ${repositoryId}
    group by r.id, a.name, p.name, v.name`
  if (!row) throw new NotFoundError(`repository ${repositoryId} has no propagation measurements`)
  const points = await sql<(Omit<PropagationPoint, 'datetime'> & { datetime: Date })[]>`
    select datetime, same_day, one_day, two_day, older, no_info from propagation_stat
    where repository_id = ${repositoryId}
      and (${days ?? null}::int is null or datetime >= now() - make_interval(days => ${days ?? 0}::int))
    order by datetime`
  return { repository: toRepository(row), points: points.map((p) => ({ ...p, datetime: p.datetime.toISOString() })) }
}
