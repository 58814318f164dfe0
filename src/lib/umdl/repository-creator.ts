/**
 * Every directory of the category holding repodata/repomd.xml becomes a repository if it
 * has none yet, with arch, version (created when new: a new release) and prefix.
 * Candidates are the parents of repodata directories that are new or changed this run
 * (directory-writer.ts); a repository an admin deleted is not re-created until its
 * repodata changes.
 */
import type { Sql } from '../db/sql.js'
import type { Logger } from '../log.js'
import type { CategoryRow } from './category-store.js'
import { detectArch, detectVersion } from './path-detect.js'
import { repositoryPrefix, type CompiledPrefixRule } from './prefix-rules.js'
import { directoryInCategory, pathInCategory } from '../catalog/category-path.js'

export interface RepositoryCreation {
  repositoriesCreated: number
  versionsCreated: string[]
}

async function versionId(tx: Sql, productId: number, name: string, isTest: boolean, created: string[]): Promise<number> {
  const [inserted] = await tx<{ id: number }[]>`
    insert into version (product_id, name, is_test) values (${productId}, ${name}, ${isTest})
    on conflict (product_id, name) do nothing returning id`
  if (inserted) {
    created.push(name)
    return inserted.id
  }
  const [existing] = await tx<{ id: number }[]>`select id from version where product_id = ${productId} and name = ${name}`
  return existing.id
}

export async function createRepositories(tx: Sql, category: CategoryRow, candidatePaths: readonly string[], rules: readonly CompiledPrefixRule[], log: Logger): Promise<RepositoryCreation> {
  const result0: RepositoryCreation = { repositoriesCreated: 0, versionsCreated: [] }
  if (candidatePaths.length === 0) return result0
  const names = candidatePaths.map((path) => directoryInCategory(category.topdirName, path))
  const candidates = await tx<{ id: number; name: string }[]>`
    select p.id, p.name from directory p
    where p.name = any(${names}::text[])
      and not exists (select 1 from repository x where x.directory_id = p.id)
    order by p.name`
  const result: RepositoryCreation = { repositoriesCreated: 0, versionsCreated: [] }
  if (candidates.length === 0) return result
  const arches = new Map((await tx<{ id: number; name: string }[]>`select id, name from arch`).map((row) => [row.name, row.id]))
  const versions = new Set(
    category.productId === null
      ? []
      : (await tx<{ name: string }[]>`select name from version where product_id = ${category.productId}`).map((row) => row.name),
  )
  const taken = new Set((await tx<{ prefix: string; archId: number }[]>`select prefix, arch_id from repository where prefix is not null`).map((row) => `${row.prefix}\u0000${row.archId}`))
  for (const candidate of candidates) {
    const path = pathInCategory(category.topdirName, candidate.name) ?? candidate.name
    const arch = detectArch(path, new Set(arches.keys()))
    if (arch === null) {
      log.debug(`${candidate.name}: no known arch in the path, no repository`)
      continue
    }
    const archId = arches.get(arch)!
    const detected = detectVersion(path, versions)
    let version: number | null = null
    if (detected && category.productId !== null) {
      version = await versionId(tx, category.productId, detected.name, detected.isTest, result.versionsCreated)
      versions.add(detected.name)
    }
    let prefix = repositoryPrefix(rules, category.name, path)
    if (prefix !== null && taken.has(`${prefix}\u0000${archId}`)) {
      log.warn(`${candidate.name}: prefix ${prefix} (${arch}) belongs to another repository; created without a prefix (see move-devel-to-release)`)
      prefix = null
    }
    if (prefix !== null) taken.add(`${prefix}\u0000${archId}`)
    await tx`
      insert into repository (name, prefix, category_id, version_id, arch_id, directory_id)
      values (${candidate.name}, ${prefix}, ${category.id}, ${version}, ${archId}, ${candidate.id})`
    result.repositoriesCreated++
  }
  return result
}
