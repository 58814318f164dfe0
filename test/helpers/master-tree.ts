/**
 * A small Fedora-like master tree for umdl tests: releases, updates, updates-testing,
 * development/rawhide, EPEL, debug and source trees, ISO directories with CHECKSUM files
 * and repodata with real repomd.xml content.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, renameSync, utimesSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Sql } from '../../src/lib/db/sql.js'

export function repomdXml(timestamps: number[], revision = timestamps[0]): string {
  const data = timestamps
    .map(
      (stamp, i) => `  <data type="${['primary', 'filelists', 'other', 'updateinfo'][i % 4]}">
    <checksum type="sha256">${createHash('sha256').update(String(stamp)).digest('hex')}</checksum>
    <location href="repodata/${stamp}-${i}.xml.gz"/>
    <timestamp>${stamp}</timestamp>
    <size>${1000 + i}</size>
  </data>`,
    )
    .join('\n')
  return `<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
  <revision>${revision}</revision>
${data}
</repomd>
`
}

/** Writes via a temporary name and rename, as the master's tools do (the directory's ctime changes). */
export function replaceFile(path: string, content: string | Buffer, mtime?: number): void {
  mkdirSync(dirname(path), { recursive: true })
  const temp = `${path}.tmp-${process.pid}`
  writeFileSync(temp, content)
  if (mtime !== undefined) utimesSync(temp, mtime, mtime)
  renameSync(temp, path)
}

export const FEDORA_REPOS = [
  'releases/41/Everything/x86_64/os',
  'releases/41/Everything/x86_64/debug/tree',
  'releases/41/Everything/source/tree',
  'releases/41/Everything/aarch64/os',
  'releases/20/Fedora/x86_64/os',
  'updates/41/Everything/x86_64',
  'updates/testing/41/Everything/x86_64',
  'updates/testing/41/Everything/x86_64/debug',
  'development/rawhide/Everything/x86_64/os',
  'development/42/Everything/x86_64/os',
  'releases/test/42_Beta/Everything/x86_64/os',
]
export const EPEL_REPOS = ['9/Everything/x86_64', 'testing/9/Everything/x86_64', '9/Everything/x86_64/debug']

export const ISO_DIR = 'releases/41/Workstation/x86_64/iso'
export const ISO_NAME = 'Fedora-Workstation-Live-x86_64-41-1.4.iso'
export const ISO_CONTENT = 'not really an iso\n'

export function buildMasterTree(root: string): { fedora: string; epel: string } {
  const fedora = join(root, 'pub', 'fedora', 'linux')
  const epel = join(root, 'pub', 'epel')
  for (const [top, repos] of [[fedora, FEDORA_REPOS], [epel, EPEL_REPOS]] as const) {
    repos.forEach((repo, i) => {
      replaceFile(join(top, repo, 'repodata', 'repomd.xml'), repomdXml([1731400000 + i, 1731400100 + i]))
      mkdirSync(join(top, repo, 'Packages', 'a'), { recursive: true })
    })
  }
  // 12 rpms: more than the short-list threshold, only the 3 newest are stored.
  const packages = join(fedora, 'releases/41/Everything/x86_64/os/Packages/a')
  for (let i = 0; i < 12; i++) {
    writeFileSync(join(packages, `a-1.${i}.rpm`), 'x'.repeat(i + 1))
    utimesSync(join(packages, `a-1.${i}.rpm`), 1731000000 + i, 1731000000 + i)
  }
  writeFileSync(join(packages, 'README'), 'hi')
  const iso = join(fedora, ISO_DIR)
  mkdirSync(iso, { recursive: true })
  writeFileSync(join(iso, ISO_NAME), ISO_CONTENT)
  const sha256 = createHash('sha256').update(ISO_CONTENT).digest('hex')
  writeFileSync(
    join(iso, 'Fedora-Workstation-41-1.4-x86_64-CHECKSUM'),
    `-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n# ${ISO_NAME}: 18 bytes\nSHA256 (${ISO_NAME}) = ${sha256}\n-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n`,
  )
  writeFileSync(join(iso, 'MD5SUM'), `${createHash('md5').update(ISO_CONTENT).digest('hex')} *${ISO_NAME}\n${'0'.repeat(31)}  short-hash-ignored.iso\n`)
  mkdirSync(join(fedora, '.snapshot', 'hourly.0'), { recursive: true })
  mkdirSync(join(fedora, 'releases', '41', '.~tmp~'), { recursive: true })
  return { fedora, epel }
}

/** Products, categories and their top directories, as an admin would have set them up. */
export async function seedCategories(sql: Sql): Promise<void> {
  await sql`insert into product (name) values ('Fedora'), ('EPEL')`
  await sql`insert into version (product_id, name) select id, '41' from product where name = 'Fedora'`
  await sql`insert into directory (name) values ('pub/fedora/linux'), ('pub/epel')`
  await sql`
    insert into category (name, product_id, topdir_id)
    select 'Fedora Linux', p.id, d.id from product p, directory d where p.name = 'Fedora' and d.name = 'pub/fedora/linux'`
  await sql`
    insert into category (name, product_id, topdir_id)
    select 'Fedora EPEL', p.id, d.id from product p, directory d where p.name = 'EPEL' and d.name = 'pub/epel'`
}
