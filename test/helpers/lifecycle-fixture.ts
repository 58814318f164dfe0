/**
 * A small master tree around two Fedora releases, for the lifecycle tests:
 * - 41 is one week old: repositories still point into development/41; releases/41 has
 *   the x86_64 and aarch64 trees but no source tree yet, and its Server tree already
 *   has a repository of its own.
 * - 26 is end of life: the archive tree has its updates trees but not its release tree.
 */
import type { Sql } from '../../src/lib/db/sql.js'

export const TOP = 'pub/fedora/linux'
export const ARCHIVE_TOP = 'pub/archive/fedora/linux'

const directories = [
  TOP,
  ARCHIVE_TOP,
  `${TOP}/development/41/Everything/x86_64/os`,
  `${TOP}/development/41/Everything/x86_64/os/repodata`,
  `${TOP}/development/41/Everything/aarch64/os`,
  `${TOP}/development/41/Everything/source/tree`,
  `${TOP}/development/41/Server/x86_64/os`,
  `${TOP}/development/410/Everything/x86_64/os`,
  `${TOP}/releases/41/Everything/x86_64/os`,
  `${TOP}/releases/41/Everything/x86_64/os/repodata`,
  `${TOP}/releases/41/Everything/aarch64/os`,
  `${TOP}/releases/41/Server/x86_64/os`,
  `${TOP}/updates/testing/26/x86_64`,
  `${TOP}/updates/26/x86_64`,
  `${TOP}/releases/26/Everything/x86_64/os`,
  `${ARCHIVE_TOP}/updates/testing/26/x86_64`,
  `${ARCHIVE_TOP}/updates/26/x86_64`,
]

export interface ReleaseFixture {
  directoryId: Map<string, number>
  repositoryId: Map<string, number>
}

export async function buildReleaseFixture(sql: Sql): Promise<ReleaseFixture> {
  const [{ id: productId }] = await sql<{ id: number }[]>`insert into product (name) values ('Fedora') returning id`
  await sql`insert into version (product_id, name) values (${productId}, '26'), (${productId}, '41'), (${productId}, '410')`
  const dirs = await sql<{ id: number; name: string }[]>`
    insert into directory (name) select unnest(${directories}::text[]) returning id, name`
  const directoryId = new Map(dirs.map((row) => [row.name, row.id]))
  await sql`
    insert into category (name, product_id, topdir_id) values
      ('Fedora Linux', ${productId}, ${directoryId.get(TOP)!}),
      ('Fedora Archive', ${productId}, ${directoryId.get(ARCHIVE_TOP)!})`
  await sql`
    insert into category_directory (category_id, directory_id)
    select c.id, d.id from category c join directory d
      on starts_with(d.name, (select name from directory where id = c.topdir_id))`
  const repositoryId = new Map<string, number>()
  const repository = async (prefix: string, arch: string, version: string, path: string) => {
    const [row] = await sql<{ id: number }[]>`
      insert into repository (name, prefix, category_id, version_id, arch_id, directory_id)
      select ${path}, ${prefix}, c.id, v.id, a.id, ${directoryId.get(path)!}
      from category c, version v, arch a
      where c.name = 'Fedora Linux' and v.name = ${version} and a.name = ${arch}
      returning id`
    repositoryId.set(`${prefix}/${arch}`, row.id)
  }
  await repository('fedora-41', 'x86_64', '41', `${TOP}/development/41/Everything/x86_64/os`)
  await repository('fedora-41', 'aarch64', '41', `${TOP}/development/41/Everything/aarch64/os`)
  await repository('fedora-source-41', 'source', '41', `${TOP}/development/41/Everything/source/tree`)
  await repository('fedora-server-41', 'x86_64', '41', `${TOP}/development/41/Server/x86_64/os`)
  await repository('fedora-server-41-release', 'x86_64', '41', `${TOP}/releases/41/Server/x86_64/os`)
  await repository('fedora-410', 'x86_64', '410', `${TOP}/development/410/Everything/x86_64/os`)
  await repository('updates-testing-f26', 'x86_64', '26', `${TOP}/updates/testing/26/x86_64`)
  await repository('updates-released-f26', 'x86_64', '26', `${TOP}/updates/26/x86_64`)
  await repository('fedora-26', 'x86_64', '26', `${TOP}/releases/26/Everything/x86_64/os`)
  return { directoryId, repositoryId }
}

/** Repository prefix/arch -> directory name, for before/after comparisons. */
export async function repositoryDirectories(sql: Sql): Promise<Record<string, string>> {
  const rows = await sql<{ key: string; directory: string; category: string }[]>`
    select r.prefix || '/' || a.name as key, d.name as directory, c.name as category
    from repository r join directory d on d.id = r.directory_id join arch a on a.id = r.arch_id
    join category c on c.id = r.category_id order by key`
  return Object.fromEntries(rows.map((row) => [row.key, `${row.category}: ${row.directory}`]))
}

/** repomd.xml history in the releases/41 x86_64 repodata (three versions), call after the move. */
export async function addRepomdHistory(sql: Sql, fixture: ReleaseFixture): Promise<void> {
  const repodata = fixture.directoryId.get(`${TOP}/releases/41/Everything/x86_64/os/repodata`)!
  const os = fixture.directoryId.get(`${TOP}/releases/41/Everything/x86_64/os`)!
  const other = fixture.directoryId.get(`${TOP}/updates/26/x86_64`)!
  await sql`
    insert into file_detail (directory_id, filename, timestamp, size, sha256) values
      (${repodata}, 'repomd.xml', 1000, 10, 'aaa'),
      (${repodata}, 'repomd.xml', 3000, 30, 'ccc'),
      (${repodata}, 'repomd.xml', 2000, 20, 'bbb'),
      (${os}, 'summary', 500, 5, 'sss'),
      (${os}, 'summary', 400, 4, 'rrr'),
      (${other}, 'repomd.xml', 100, 1, 'x1'),
      (${other}, 'repomd.xml', 200, 2, 'x2')`
}

/** One public mirror carrying all of Fedora Linux, and repomd.xml in both x86_64 repodata trees. */
export async function addMirror(sql: Sql, fixture: ReleaseFixture): Promise<void> {
  const [{ id: siteId }] = await sql<{ id: number }[]>`insert into site (name) values ('Mirror Site') returning id`
  const [{ id: hostId }] = await sql<{ id: number }[]>`
    insert into host (site_id, name, country) values (${siteId}, 'mirror.example', 'US') returning id`
  const [{ id: hostCategoryId }] = await sql<{ id: number }[]>`
    insert into host_category (host_id, category_id, always_up2date)
    select ${hostId}, id, true from category where name = 'Fedora Linux' returning id`
  await sql`insert into host_category_url (host_category_id, url) values (${hostCategoryId}, 'https://mirror.example/fedora/linux')`
  for (const release of ['development', 'releases']) {
    const repodata = fixture.directoryId.get(`${TOP}/${release}/41/Everything/x86_64/os/repodata`)!
    await sql`insert into file_detail (directory_id, filename, timestamp, size, sha256) values (${repodata}, 'repomd.xml', 1731400000, 4620, ${`${release}-sha256`})`
  }
}

export const SECONDARY_TOP = 'pub/fedora-secondary'

/**
 * Install trees for the install-repository commands: the 41 Beta's Server trees of
 * MirrorManager2's three install arches, and the release's x86_64 (primary) and i386
 * (secondary arch, in a "Fedora Secondary Arches" category) Server trees; armhfp has none.
 */
export async function addInstallTrees(sql: Sql): Promise<void> {
  const names = [
    SECONDARY_TOP,
    ...['armhfp', 'i386', 'x86_64'].map((arch) => `${TOP}/releases/test/41_Beta/Server/${arch}/os`),
    `${SECONDARY_TOP}/releases/41/Server/i386/os`,
  ]
  await sql`insert into directory (name) select unnest(${names}::text[])`
  await sql`
    insert into category (name, product_id, topdir_id)
    select 'Fedora Secondary Arches', p.id, d.id from product p, directory d where p.name = 'Fedora' and d.name = ${SECONDARY_TOP}`
}

/** The fedora-install-41 repositories: arch -> "category version: directory". */
export async function installRepositories(sql: Sql): Promise<Record<string, string>> {
  const rows = await sql<{ arch: string; line: string }[]>`
    select a.name as arch, c.name || ' ' || v.name || ': ' || d.name as line
    from repository r join directory d on d.id = r.directory_id join arch a on a.id = r.arch_id
    join category c on c.id = r.category_id join version v on v.id = r.version_id
    where r.prefix = 'fedora-install-41' order by a.name`
  return Object.fromEntries(rows.map((row) => [row.arch, row.line]))
}
