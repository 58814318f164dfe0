/**
 * A small mirror network written straight into a test database, for the serve-mirrorlist
 * end-to-end tests: one category, one repository (fedora-41 / x86_64) with repodata,
 * public hosts in SE, DE, JP and US, a private host reached only by netblock, and a host
 * that is not up to date (never listed).
 */
import type { Sql } from '../../src/lib/db/sql.js'

export const TOP = 'pub/fedora/linux'
export const OS_DIR = `${TOP}/releases/41/Everything/x86_64/os`
export const REPODATA_DIR = `${OS_DIR}/repodata`
/** Path of the os directory below the category's top directory. */
export const OS_REL = 'releases/41/Everything/x86_64/os'

export interface MirrorSpec {
  site: string
  host: string
  country: string
  urls: string[]
  bandwidth?: number
  privateSite?: boolean
  netblocks?: string[]
  upToDate?: boolean
}

export interface RepomdDetail {
  timestamp: number
  size: number
  md5?: string
  sha1?: string
  sha256: string
  sha512?: string
}

export const standardMirrors: MirrorSpec[] = [
  { site: 'se-site', host: 'se1.example', country: 'SE', urls: ['http://se1.example/fedora', 'rsync://se1.example/fedora'], bandwidth: 1000 },
  { site: 'de-site', host: 'de1.example', country: 'DE', urls: ['https://de1.example/pub/fedora/linux'], bandwidth: 1000 },
  { site: 'jp-site', host: 'jp1.example', country: 'JP', urls: ['http://jp1.example/fedora'], bandwidth: 100 },
  { site: 'us-site', host: 'us1.example', country: 'US', urls: ['https://us1.example/fedora'], bandwidth: 100 },
  { site: 'campus', host: 'private1.example', country: 'SE', urls: ['http://private1.example/fedora'], privateSite: true, netblocks: ['10.99.0.0/16'] },
  { site: 'stale-site', host: 'stale1.example', country: 'DE', urls: ['http://stale1.example/fedora'], upToDate: false },
]

async function insertId(rows: Promise<{ id: number }[]>): Promise<number> {
  const [row] = await rows
  return row.id
}

export interface Network {
  categoryId: number
  osDirectoryId: number
  repodataDirectoryId: number
}

export async function buildNetwork(sql: Sql, repomd: RepomdDetail[], mirrors: MirrorSpec[] = standardMirrors): Promise<Network> {
  const productId = await insertId(sql`insert into product (name) values ('Fedora') returning id`)
  const versionId = await insertId(sql`insert into version (product_id, name) values (${productId}, '41') returning id`)
  const topId = await insertId(sql`insert into directory (name) values (${TOP}) returning id`)
  const osDirectoryId = await insertId(sql`insert into directory (name) values (${OS_DIR}) returning id`)
  const repodataDirectoryId = await insertId(sql`insert into directory (name) values (${REPODATA_DIR}) returning id`)
  const categoryId = await insertId(
    sql`insert into category (name, product_id, topdir_id) values ('Fedora Linux', ${productId}, ${topId}) returning id`,
  )
  for (const dir of [topId, osDirectoryId, repodataDirectoryId]) {
    await sql`insert into category_directory (category_id, directory_id) values (${categoryId}, ${dir})`
  }
  const [{ id: archId }] = await sql<{ id: number }[]>`select id from arch where name = 'x86_64'`
  await sql`insert into repository (name, prefix, category_id, version_id, arch_id, directory_id)
            values ('Fedora 41 x86_64', 'fedora-41', ${categoryId}, ${versionId}, ${archId}, ${osDirectoryId})`
  await sql`insert into repository_redirect (from_repo, to_repo) values ('fedora-41-redirected', 'fedora-41')`
  for (const detail of repomd) await addRepomd(sql, repodataDirectoryId, detail)
  const network = { categoryId, osDirectoryId, repodataDirectoryId }
  for (const mirror of mirrors) await addMirror(sql, network, mirror)
  return network
}

export async function addRepomd(sql: Sql, repodataDirectoryId: number, detail: RepomdDetail): Promise<void> {
  await sql`insert into file_detail (directory_id, filename, timestamp, size, md5, sha1, sha256, sha512)
            values (${repodataDirectoryId}, 'repomd.xml', ${detail.timestamp}, ${detail.size}, ${detail.md5 ?? null},
                    ${detail.sha1 ?? null}, ${detail.sha256}, ${detail.sha512 ?? null})`
}

export async function addMirror(sql: Sql, network: Network, mirror: MirrorSpec): Promise<void> {
  const siteId = await insertId(sql`insert into site (name, private) values (${mirror.site}, ${mirror.privateSite ?? false}) returning id`)
  const hostId = await insertId(sql`insert into host (site_id, name, country, bandwidth_int)
    values (${siteId}, ${mirror.host}, ${mirror.country}, ${mirror.bandwidth ?? 100}) returning id`)
  for (const netblock of mirror.netblocks ?? []) await sql`insert into host_netblock (host_id, netblock) values (${hostId}, ${netblock})`
  const hostCategoryId = await insertId(
    sql`insert into host_category (host_id, category_id) values (${hostId}, ${network.categoryId}) returning id`,
  )
  for (const url of mirror.urls) await sql`insert into host_category_url (host_category_id, url) values (${hostCategoryId}, ${url})`
  for (const [dir, path] of [
    [network.osDirectoryId, OS_REL],
    [network.repodataDirectoryId, `${OS_REL}/repodata`],
  ] as const) {
    await sql`insert into host_category_dir (host_category_id, directory_id, path, up2date)
              values (${hostCategoryId}, ${dir}, ${path}, ${mirror.upToDate ?? true})`
  }
}
