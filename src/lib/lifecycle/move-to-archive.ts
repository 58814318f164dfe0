import { NotFoundError, PartialFailureError, UsageError, ValidationError } from '../errors.js'
import { inTransaction, type Sql } from '../db/sql.js'
import { findCategoryTree, requireProductVersion, type CategoryTree } from './lookup.js'
import {
  applyRepositoryMoves,
  directoryIdsByName,
  type RepositoryMove,
  type RepositoryMoveResult,
  type RepositorySkip,
} from './repository-move.js'

export const DEFAULT_ARCHIVE_CATEGORY = 'Fedora Archive'

export interface MoveToArchiveOptions {
  /** Archive every repository with this prefix (all arches)... */
  repository?: string
  /** ...or every repository of this product and version. */
  product?: string
  version?: string
  archiveCategory?: string
  /** Only repositories whose directory matches this regular expression. */
  directoryRegex?: string
  dryRun?: boolean
}

export interface MoveToArchiveResult extends RepositoryMoveResult {
  archiveCategory: string
  /** Repositories that should have moved but have no directory in the archive. */
  failed: RepositorySkip[]
}

interface ArchiveCandidate {
  id: number
  prefix: string | null
  arch: string | null
  categoryId: number
  directory: string
  categoryTopdir: string | null
}

/**
 * End of life: repoints repositories to the same path under the archive category's top
 * directory and moves them into that category. A repository whose archive directory is
 * missing stays where it is and is listed in `failed`; the others move (see
 * `archiveFailure` for the resulting partial-failure error).
 */
export async function moveToArchive(sql: Sql, options: MoveToArchiveOptions): Promise<MoveToArchiveResult> {
  const filter = directoryFilter(options.directoryRegex)
  if (!options.repository && !(options.product && options.version)) {
    throw new UsageError('pass either --repository or both --product and --version')
  }
  return inTransaction(sql, async (tx) => {
    const archiveName = options.archiveCategory ?? DEFAULT_ARCHIVE_CATEGORY
    const archive = await findCategoryTree(tx, archiveName)
    if (!archive) throw new NotFoundError(`No category could be found by the name: ${archiveName}`, { details: { category: archiveName } })
    const candidates = (await selectRepositories(tx, options)).filter((repository) => filter(repository.directory))
    const plan = await planArchiveMoves(tx, archive, candidates)
    if (!options.dryRun) await applyRepositoryMoves(tx, plan.moves)
    return { dryRun: Boolean(options.dryRun), archiveCategory: archive.name, ...plan }
  })
}

/** The error a command raises after a run with failed repositories (exit status 8). */
export function archiveFailure(result: MoveToArchiveResult): PartialFailureError {
  const total = result.moves.length + result.failed.length
  return new PartialFailureError(
    `${result.failed.length} of ${total} repositories could not be moved to ${result.archiveCategory}${result.dryRun ? ' (dry run)' : ''}`,
    { details: { ...result } },
  )
}

export function missingArchiveDirectoryMessage(archiveCategory: string, directory: string): string {
  return `Unable to find a directory in [${archiveCategory}] for ${directory}`
}

function directoryFilter(regex: string | undefined): (directory: string) => boolean {
  if (!regex) return () => true
  try {
    const pattern = new RegExp(regex)
    return (directory) => pattern.test(directory)
  } catch (error) {
    throw new ValidationError(`--directory-regex is not a valid regular expression: ${(error as Error).message}`, { field: 'directory-regex' })
  }
}

async function selectRepositories(tx: Sql, options: MoveToArchiveOptions): Promise<ArchiveCandidate[]> {
  const versionId = options.repository ? null : (await requireProductVersion(tx, options.product!, options.version!)).id
  return tx<ArchiveCandidate[]>`
    select r.id, r.prefix, a.name as arch, r.category_id, d.name as directory, top.name as category_topdir
    from repository r
    join directory d on d.id = r.directory_id
    join category c on c.id = r.category_id
    left join directory top on top.id = c.topdir_id
    left join arch a on a.id = r.arch_id
    where ${versionId === null ? tx`r.prefix = ${options.repository!}` : tx`r.version_id = ${versionId}`}
    order by d.name, r.id`
}

/**
 * Where a directory lives in the archive: the path relative to its category's top
 * directory under the archive's top (`pub/fedora/linux/X` -> `pub/archive/fedora/linux/X`),
 * else, as MirrorManager2 did, the path after `pub/` (`pub/epel/X` -> `pub/archive/epel/X`).
 */
export function archivePathCandidates(directory: string, categoryTopdir: string | null, archiveTopdir: string): string[] {
  const candidates: string[] = []
  if (categoryTopdir && directory.startsWith(`${categoryTopdir}/`)) {
    candidates.push(`${archiveTopdir}/${directory.slice(categoryTopdir.length + 1)}`)
  }
  candidates.push(`${archiveTopdir}/${directory.replace(/^pub\//, '')}`)
  return [...new Set(candidates)]
}

async function planArchiveMoves(tx: Sql, archive: CategoryTree, candidates: ArchiveCandidate[]) {
  const paths = candidates.map((repository) => archivePathCandidates(repository.directory, repository.categoryTopdir, archive.topdir))
  const directoryIds = await directoryIdsByName(tx, paths.flat())
  const moves: RepositoryMove[] = []
  const skipped: RepositorySkip[] = []
  const failed: RepositorySkip[] = []
  candidates.forEach((repository, index) => {
    const base = { repositoryId: repository.id, prefix: repository.prefix, arch: repository.arch, directory: repository.directory }
    const to = paths[index].find((path) => directoryIds.has(path))
    if (repository.categoryId === archive.id) {
      skipped.push({ ...base, reason: 'already archived' })
    } else if (to === undefined) {
      failed.push({ ...base, reason: missingArchiveDirectoryMessage(archive.name, repository.directory) })
    } else {
      const { directory, ...ids } = base
      moves.push({ ...ids, from: directory, to, toDirectoryId: directoryIds.get(to)!, toCategoryId: archive.id })
    }
  })
  return { moves, skipped, failed }
}
