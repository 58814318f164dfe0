import { inTransaction, type Sql } from '../db/sql.js'
import { requireProductVersion } from './lookup.js'

export interface ExpireRepoOptions {
  product: string
  version: string
  dryRun?: boolean
}

/** A file detail row that is (or would be) removed. */
export interface ExpiredFileDetail {
  id: number
  directory: string
  filename: string
  timestamp: number | null
  sha256: string | null
}

export interface ExpireRepoResult {
  dryRun: boolean
  product: string
  version: string
  /** Directories of the version's repositories (the trees searched). */
  repositories: string[]
  expired: ExpiredFileDetail[]
  /** File details kept: the newest per directory and file name. */
  kept: number
}

/**
 * Emergency expiry (a withdrawn signing key, a broken push): under every repository of
 * the product's version, removes every file detail except the newest per directory and
 * file name, so metalinks stop offering the older versions as alternates.
 */
export async function expireRepo(sql: Sql, options: ExpireRepoOptions): Promise<ExpireRepoResult> {
  return inTransaction(sql, async (tx) => {
    const version = await requireProductVersion(tx, options.product, options.version)
    const roots = await tx<{ name: string }[]>`
      select distinct d.name from repository r join directory d on d.id = r.directory_id
      where r.version_id = ${version.id} order by d.name`
    const repositories = roots.map((root) => root.name)
    const ranked = await tx<(ExpiredFileDetail & { rank: number })[]>`
      select fd.id, d.name as directory, fd.filename, fd.timestamp, fd.sha256,
             row_number() over (partition by fd.directory_id, fd.filename
                                order by fd.timestamp desc nulls last, fd.id desc)::int as rank
      from file_detail fd
      join directory d on d.id = fd.directory_id
      where exists (select 1 from unnest(${repositories}::text[]) as root(name)
                    where d.name = root.name or starts_with(d.name, root.name || '/'))
      order by d.name, fd.filename, rank`
    const expired = ranked.filter((row) => row.rank > 1).map(({ rank, ...row }) => row)
    if (!options.dryRun && expired.length > 0) {
      await tx`delete from file_detail where id = any(${expired.map((row) => row.id)}::int[])`
    }
    return {
      dryRun: Boolean(options.dryRun),
      product: version.productName,
      version: version.name,
      repositories,
      expired,
      kept: ranked.length - expired.length,
    }
  })
}
