/**
 * The install-tree repositories of a release (`fedora-install-<version>`), as
 * MirrorManager2's mm2_create_install_repo and mm2_upgrade-install-repo kept them:
 * one repository per arch on `<tree>/Server/<arch>/os`, created on a test tree
 * (e.g. `releases/test/41_Beta`) and repointed to `releases/<version>` at release time.
 */
import { inTransaction, type Sql } from '../db/sql.js'
import { NotFoundError, UsageError } from '../errors.js'
import { normalizeDirectoryPath, requireName } from '../validate/name.js'
import { findCategoryTree, findVersion, requireCategoryTree, requireProductVersion, type CategoryTree, type VersionRef } from '../lifecycle/lookup.js'

/** MirrorManager2's create_install_repo REPOS list: the arches given an install repository. */
export const INSTALL_ARCHES = ['armhfp', 'i386', 'x86_64'] as const

/** `fedora-install-<version>`, the prefix both MirrorManager2 scripts use. */
export function installPrefix(version: string): string {
  return `fedora-install-${version}`
}

/** The install tree of one arch under a release tree: `<tree>/Server/<arch>/os`. */
export function installTreePath(tree: string, arch: string): string {
  return `${tree}/Server/${arch}/os`
}

/** One install repository created, repointed, or left as it was. */
export interface InstallRepositoryChange {
  action: 'create' | 'repoint'
  /** Null for a repository that is created. */
  repositoryId: number | null
  prefix: string
  arch: string
  category: string
  version: string
  /** The directory it pointed to before; null for a new repository. */
  from: string | null
  to: string
}

export interface InstallRepositorySkip {
  prefix: string
  arch: string
  directory: string
  reason: string
}

export interface InstallRepositoryResult {
  dryRun: boolean
  changes: InstallRepositoryChange[]
  skipped: InstallRepositorySkip[]
}

export interface CreateInstallOptions {
  /** Version name, e.g. `41` (of the category's product). */
  version: string
  /** Category name, e.g. `Fedora Linux`; BASE_PATH must lie inside its top directory. */
  category: string
  /** The release tree holding `Server/<arch>/os`, e.g. `pub/fedora/linux/releases/test/41_Beta`. */
  basePath: string
  /** Default: INSTALL_ARCHES. */
  arches?: readonly string[]
  /** Default: `fedora-install-<version>`. */
  prefix?: string
  dryRun?: boolean
}

interface ArchRow {
  id: number
  name: string
  primaryArch: boolean
}

interface InstallRepositoryRow {
  id: number
  archId: number
  directory: string
  categoryId: number
  versionId: number | null
}

/**
 * mm2_create_install_repo: for each arch, the repository `<prefix>`/arch on
 * `<basePath>/Server/<arch>/os` — created, or repointed there (directory, category,
 * version) when it exists. All or nothing: a missing category, version, arch or
 * directory is an error and nothing is written.
 */
export async function createInstallRepositories(sql: Sql, options: CreateInstallOptions): Promise<InstallRepositoryResult> {
  const basePath = normalizeDirectoryPath(options.basePath, 'BASE_PATH')
  const prefix = requireName(options.prefix ?? installPrefix(options.version), 'prefix')
  return inTransaction(sql, async (tx) => {
    const category = await requireCategoryTree(tx, options.category)
    const version = await requireCategoryVersion(tx, category, options.version)
    if (basePath !== category.topdir && !basePath.startsWith(`${category.topdir}/`)) {
      throw new UsageError(`${basePath} is not inside category ${category.name} (its top directory is ${category.topdir})`, {
        details: { basePath, category: category.name, topdir: category.topdir },
      })
    }
    const arches = await requireArches(tx, options.arches ?? INSTALL_ARCHES)
    const targets = arches.map((arch) => installTreePath(basePath, arch.name))
    const directories = await directoryIds(tx, targets)
    const missing = targets.filter((target) => !directories.has(target))
    if (missing.length > 0) {
      throw new NotFoundError(`not in the master tree (run umdl first, or choose the arches with --arch): ${missing.join(', ')}`, {
        details: { missing },
      })
    }
    const existing = await installRepositories(tx, prefix)
    const changes = arches.map((arch, index): InstallRepositoryChange => {
      const repository = existing.get(arch.id)
      const base = { prefix, arch: arch.name, category: category.name, version: version.name, to: targets[index] }
      return repository
        ? { action: 'repoint', repositoryId: repository.id, from: repository.directory, ...base }
        : { action: 'create', repositoryId: null, from: null, ...base }
    })
    if (!options.dryRun) {
      for (const [index, change] of changes.entries()) {
        change.repositoryId = await writeInstallRepository(tx, change, {
          archId: arches[index].id,
          categoryId: category.id,
          versionId: version.id,
          directoryId: directories.get(change.to)!,
        })
      }
    }
    return { dryRun: Boolean(options.dryRun), changes, skipped: [] }
  })
}

export interface UpgradeInstallOptions {
  /** Version name, e.g. `41`. */
  version: string
  /** Default `Fedora`, the product MirrorManager2 hard-codes. */
  product?: string
  /** Category of the primary arches' release tree; default `Fedora Linux`. */
  category?: string
  /** Category of the other arches' release tree; default `Fedora Secondary Arches`. */
  secondaryCategory?: string
  /** Default: `fedora-install-<version>`. */
  prefix?: string
  dryRun?: boolean
}

/**
 * mm2_upgrade-install-repo: repoints the `<prefix>` repository of every arch but
 * `source` to `<topdir>/releases/<version>/Server/<arch>/os`, where topdir is the
 * primary category's for primary arches and the secondary category's for the others,
 * and moves it into that category. An arch is skipped (and reported) when that
 * directory is not in the master tree or the arch has no such repository.
 */
export async function upgradeInstallRepositories(sql: Sql, options: UpgradeInstallOptions): Promise<InstallRepositoryResult> {
  if (options.version === 'development') {
    throw new UsageError('development versions have no release tree: nothing to upgrade (MirrorManager2 skipped them too)')
  }
  const prefix = requireName(options.prefix ?? installPrefix(options.version), 'prefix')
  return inTransaction(sql, async (tx) => {
    const version = await requireProductVersion(tx, options.product ?? 'Fedora', options.version)
    const primary = await requireCategoryTree(tx, options.category ?? 'Fedora Linux')
    const secondaryName = options.secondaryCategory ?? 'Fedora Secondary Arches'
    const secondary = await findCategoryTree(tx, secondaryName)
    const arches = (await tx<ArchRow[]>`select id, name, primary_arch from arch where name <> 'source' order by name`)
    const existing = await installRepositories(tx, prefix)
    const targets = arches.map((arch) => {
      const category = arch.primaryArch ? primary : secondary
      return category ? installTreePath(`${category.topdir}/releases/${version.name}`, arch.name) : null
    })
    const directories = await directoryIds(tx, targets.filter((target): target is string => target !== null))
    const changes: InstallRepositoryChange[] = []
    const skipped: InstallRepositorySkip[] = []
    for (const [index, arch] of arches.entries()) {
      const repository = existing.get(arch.id)
      const category = arch.primaryArch ? primary : secondary
      const to = targets[index]
      const directoryId = to === null ? undefined : directories.get(to)
      if (!repository && directoryId === undefined) continue // neither an install repository nor a tree: not an install arch
      const skip = (reason: string) => skipped.push({ prefix, arch: arch.name, directory: to ?? '', reason })
      if (!category || to === null) skip(`no category ${secondaryName} for the secondary arch ${arch.name}`)
      else if (directoryId === undefined) skip(`${to} is not in the master tree (run umdl first)`)
      else if (!repository) skip(`no repository ${prefix} for arch ${arch.name}`)
      else if (repository.directory === to && repository.categoryId === category.id && repository.versionId === version.id) skip('already there')
      else {
        const change: InstallRepositoryChange = {
          action: 'repoint', repositoryId: repository.id, prefix, arch: arch.name,
          category: category.name, version: version.name, from: repository.directory, to,
        }
        if (!options.dryRun) await writeInstallRepository(tx, change, { archId: arch.id, categoryId: category.id, versionId: version.id, directoryId })
        changes.push(change)
      }
    }
    return { dryRun: Boolean(options.dryRun), changes, skipped }
  })
}

/** The line printed per change (MirrorManager2 logged "Created ..." / "Moved ... from ... to ..."). */
export function formatInstallChange(change: InstallRepositoryChange): string {
  const what = `${change.prefix} ${change.arch} (${change.category}, version ${change.version})`
  return change.action === 'create' ? `create ${what}: ${change.to}` : `repoint ${what}: ${change.from} => ${change.to}`
}

async function requireCategoryVersion(sql: Sql, category: CategoryTree, name: string): Promise<VersionRef> {
  const version = category.productId === null ? null : await findVersion(sql, category.productId, name)
  if (!version) {
    throw new NotFoundError(`Version ${name} not found for product ${category.productName ?? '(none)'}`, {
      details: { version: name, product: category.productName, category: category.name },
    })
  }
  return version
}

async function requireArches(sql: Sql, names: readonly string[]): Promise<ArchRow[]> {
  const unique = [...new Set(names)]
  const rows = await sql<ArchRow[]>`select id, name, primary_arch from arch where name = any(${unique}::text[])`
  const found = new Map(rows.map((row) => [row.name, row]))
  const unknown = unique.filter((name) => !found.has(name))
  if (unknown.length > 0) throw new NotFoundError(`No such arch: ${unknown.join(', ')} (see \`mirrormanager arch list\`)`, { details: { unknown } })
  return unique.map((name) => found.get(name)!)
}

async function directoryIds(sql: Sql, names: string[]): Promise<Map<string, number>> {
  if (names.length === 0) return new Map()
  const rows = await sql<{ id: number; name: string }[]>`select id, name from directory where name = any(${names}::text[])`
  return new Map(rows.map((row) => [row.name, row.id]))
}

/** The `<prefix>` repositories by arch id. */
async function installRepositories(sql: Sql, prefix: string): Promise<Map<number, InstallRepositoryRow>> {
  const rows = await sql<InstallRepositoryRow[]>`
    select r.id, r.arch_id, d.name as directory, r.category_id, r.version_id
    from repository r join directory d on d.id = r.directory_id
    where r.prefix = ${prefix} and r.arch_id is not null`
  return new Map(rows.map((row) => [row.archId, row]))
}

/** Creates or repoints one repository; `name` is the directory's path, as MirrorManager2 set it. */
async function writeInstallRepository(
  tx: Sql,
  change: InstallRepositoryChange,
  ids: { archId: number; categoryId: number; versionId: number; directoryId: number },
): Promise<number> {
  if (change.repositoryId !== null) {
    await tx`
      update repository
      set name = ${change.to}, directory_id = ${ids.directoryId}, category_id = ${ids.categoryId}, version_id = ${ids.versionId}
      where id = ${change.repositoryId}`
    return change.repositoryId
  }
  const [row] = await tx<{ id: number }[]>`
    insert into repository (name, prefix, category_id, version_id, arch_id, directory_id)
    values (${change.to}, ${change.prefix}, ${ids.categoryId}, ${ids.versionId}, ${ids.archId}, ${ids.directoryId})
    returning id`
  return row.id
}
