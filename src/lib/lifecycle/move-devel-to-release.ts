import { NotFoundError } from '../errors.js'
import { inTransaction, type Sql } from '../db/sql.js'
import { findVersion, requireCategoryTree } from './lookup.js'
import {
  applyRepositoryMoves,
  directoryIdsByName,
  type RepositoryMove,
  type RepositoryMoveResult,
  type RepositoryRow,
  type RepositorySkip,
} from './repository-move.js'

export interface MoveDevelToReleaseOptions {
  /** Version name, e.g. `41`. */
  version: string
  /** Category name, e.g. `Fedora Linux`. */
  category: string
  dryRun?: boolean
}

/**
 * One week after a release: every repository of the category whose directory lies under
 * `<topdir>/development/<version>/` is repointed to the same path under
 * `<topdir>/releases/<version>/`, when that directory exists in the master tree and has
 * no repository yet. One transaction; with dryRun nothing is written.
 */
export async function moveDevelToRelease(sql: Sql, options: MoveDevelToReleaseOptions): Promise<RepositoryMoveResult> {
  return inTransaction(sql, async (tx) => {
    const category = await requireCategoryTree(tx, options.category)
    const version = category.productId === null ? null : await findVersion(tx, category.productId, options.version)
    if (!version) {
      throw new NotFoundError(`Version ${options.version} not found for product ${category.productName ?? '(none)'}`, {
        details: { version: options.version, product: category.productName, category: category.name },
      })
    }
    const developmentTop = `${category.topdir}/development/${version.name}`
    const releasesTop = `${category.topdir}/releases/${version.name}`
    const repositories = await tx<RepositoryRow[]>`
      select r.id, r.prefix, a.name as arch, r.category_id, d.name as directory
      from repository r
      join directory d on d.id = r.directory_id
      left join arch a on a.id = r.arch_id
      where r.category_id = ${category.id}
        and (d.name = ${developmentTop} or starts_with(d.name, ${`${developmentTop}/`}))
      order by d.name, r.id`
    const targets = repositories.map((repository) => releasesTop + repository.directory.slice(developmentTop.length))
    const plan = await planMoves(tx, repositories, targets)
    if (!options.dryRun) await applyRepositoryMoves(tx, plan.moves)
    return { dryRun: Boolean(options.dryRun), ...plan }
  })
}

async function planMoves(tx: Sql, repositories: RepositoryRow[], targets: string[]) {
  const directoryIds = await directoryIdsByName(tx, targets)
  const occupied = await repositoriesByDirectory(tx, [...directoryIds.values()])
  const moves: RepositoryMove[] = []
  const skipped: RepositorySkip[] = []
  repositories.forEach((repository, index) => {
    const to = targets[index]
    const toDirectoryId = directoryIds.get(to)
    const base = { repositoryId: repository.id, prefix: repository.prefix, arch: repository.arch }
    if (toDirectoryId === undefined) {
      skipped.push({ ...base, directory: repository.directory, reason: `${to} is not in the master tree` })
    } else if (occupied.has(toDirectoryId)) {
      skipped.push({ ...base, directory: repository.directory, reason: `${to} already has a repository (${occupied.get(toDirectoryId)})` })
    } else {
      moves.push({ ...base, from: repository.directory, to, toDirectoryId })
    }
  })
  return { moves, skipped }
}

/** Directory id -> the prefix (or name) of a repository already pointing there. */
async function repositoriesByDirectory(tx: Sql, directoryIds: number[]): Promise<Map<number, string>> {
  if (directoryIds.length === 0) return new Map()
  const rows = await tx<{ directoryId: number; label: string }[]>`
    select directory_id, coalesce(prefix, name) as label from repository where directory_id = any(${directoryIds}::int[])`
  return new Map(rows.map((row) => [row.directoryId, row.label]))
}
