/**
 * A small master tree and mirrors of it for crawler tests: the tree on disk (so HTTP,
 * rsync and FTP peers serve real files), the master's view of it in the database
 * (directories with short file lists, a category, repomd.xml file details), and hosts.
 */
import { createHash } from 'node:crypto'
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Sql } from '../../src/lib/db/sql.js'

export const TOPDIR = 'pub/epel'
export const REPOMD_NEW = '<repomd><data><timestamp>1731412300</timestamp></data></repomd>\n'
export const REPOMD_OLD = '<repomd><data><timestamp>1731325900</timestamp></data><!-- old --></repomd>\n'

/** Path (relative to the category top) -> content. */
const MASTER_FILES: Record<string, string> = {
  '9/Everything/x86_64/README': 'read me!!\n',
  '9/Everything/x86_64/Packages/a/a-1.rpm': 'x'.repeat(100),
  '9/Everything/x86_64/Packages/a/a-2.rpm': 'y'.repeat(200),
  '9/Everything/x86_64/repodata/repomd.xml': REPOMD_NEW,
  '9/Everything/x86_64/repodata/primary.xml.gz': 'p'.repeat(50),
  '9/Everything/source/tree/repodata/repomd.xml': REPOMD_NEW,
  '9/Everything/source/tree/repodata/primary.xml.gz': 'q'.repeat(60),
  'private/secret.txt': 'sssss',
}
export const EMPTY_DIRS = ['empty']
export const UNREADABLE = ['private']

export const PATHS = {
  packages: '9/Everything/x86_64/Packages/a',
  repodata: '9/Everything/x86_64/repodata',
  sourceRepodata: '9/Everything/source/tree/repodata',
}

function writeTree(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true })
    writeFileSync(join(dir, path), content)
  }
  for (const empty of EMPTY_DIRS) mkdirSync(join(dir, empty), { recursive: true })
}

/** Every directory and file under `dir`, relative paths. */
function walk(dir: string, prefix = ''): { dirs: string[]; files: { path: string; size: number }[] } {
  const dirs = [prefix]
  const files: { path: string; size: number }[] = []
  for (const name of readdirSync(join(dir, prefix)).sort()) {
    const path = prefix ? `${prefix}/${name}` : name
    const stat = statSync(join(dir, path))
    if (stat.isDirectory()) {
      const inner = walk(dir, path)
      dirs.push(...inner.dirs)
      files.push(...inner.files)
    } else files.push({ path, size: stat.size })
  }
  return { dirs, files }
}

export function writeFullfiletimelist(dir: string): void {
  const { dirs, files } = walk(dir)
  const lines = ['[Version]', '2', '[Files]']
  for (const path of dirs.filter(Boolean)) lines.push(`1731412345\td\t4096\t${path}`)
  for (const file of files.filter((f) => !f.path.startsWith('fullfiletimelist'))) lines.push(`1731412300\tf\t${file.size}\t${file.path}`)
  lines.push('[End]', '')
  writeFileSync(join(dir, 'fullfiletimelist-epel'), lines.join('\n'))
}

export type MirrorVariant = 'current' | 'behind' | 'missing' | 'listonly'

/** Builds master/ and one directory per mirror variant under `root`. */
export function buildTrees(root: string): Record<'master' | MirrorVariant, string> {
  const master = join(root, 'master')
  writeTree(master, MASTER_FILES)
  writeFullfiletimelist(master)
  const current = join(root, 'current')
  cpSync(master, current, { recursive: true })
  const behind = join(root, 'behind')
  const old = { ...MASTER_FILES }
  delete old[`${PATHS.packages}/a-2.rpm`]
  old[`${PATHS.repodata}/repomd.xml`] = REPOMD_OLD
  old[`${PATHS.sourceRepodata}/repomd.xml`] = REPOMD_OLD
  writeTree(behind, old)
  writeFullfiletimelist(behind)
  const missing = join(root, 'missing')
  cpSync(master, missing, { recursive: true })
  rmSync(join(missing, PATHS.packages), { recursive: true })
  rmSync(join(missing, 'fullfiletimelist-epel'))
  // Copies the master's list but not the content: must not pass.
  const listonly = join(root, 'listonly')
  writeTree(listonly, old)
  cpSync(join(master, 'fullfiletimelist-epel'), join(listonly, 'fullfiletimelist-epel'))
  return { master, current, behind, missing, listonly }
}

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex')

/** The master's view in the database; returns the category id and directory ids by path. */
export async function insertMaster(sql: Sql, masterDir: string): Promise<{ categoryId: number; directoryIds: Map<string, number> }> {
  const { dirs, files } = walk(masterDir)
  const directoryIds = new Map<string, number>()
  await sql`insert into directory (name, files) values ('pub', '[]'::jsonb)`
  for (const path of dirs) {
    const inDir = files
      .filter((file) => file.path.slice(0, Math.max(0, file.path.lastIndexOf('/'))) === path)
      .map((file) => ({ name: file.path.slice(file.path.lastIndexOf('/') + 1), size: file.size, timestamp: 1731412300 }))
    const name = path ? `${TOPDIR}/${path}` : TOPDIR
    const readable = !UNREADABLE.some((u) => path === u || path.startsWith(`${u}/`))
    const [row] = await sql<{ id: number }[]>`insert into directory (name, readable, files) values (${name}, ${readable}, ${sql.json(inDir)}) returning id`
    directoryIds.set(path, row.id)
  }
  const [product] = await sql<{ id: number }[]>`insert into product (name) values ('EPEL') returning id`
  const [category] = await sql<{ id: number }[]>`
    insert into category (name, product_id, topdir_id) values ('Fedora EPEL', ${product.id}, ${directoryIds.get('')!}) returning id`
  for (const id of directoryIds.values()) await sql`insert into category_directory (category_id, directory_id) values (${category.id}, ${id})`
  for (const repodata of [PATHS.repodata, PATHS.sourceRepodata]) {
    const id = directoryIds.get(repodata)!
    await sql`insert into file_detail (directory_id, filename, timestamp, size, sha256) values
      (${id}, 'repomd.xml', 1731325900, ${REPOMD_OLD.length}, ${sha256(REPOMD_OLD)}),
      (${id}, 'repomd.xml', 1731412300, ${REPOMD_NEW.length}, ${sha256(readFileSync(join(masterDir, repodata, 'repomd.xml')))})`
  }
  return { categoryId: category.id, directoryIds }
}

export interface HostSpec {
  name: string
  urls: string[]
  country?: string
  maxConnections?: number
}

export async function insertHost(sql: Sql, categoryId: number, spec: HostSpec): Promise<{ hostId: number; hostCategoryId: number }> {
  const [site] = await sql<{ id: number }[]>`insert into site (name) values (${`site-${spec.name}`}) returning id`
  const [host] = await sql<{ id: number }[]>`
    insert into host (site_id, name, country, max_connections) values (${site.id}, ${spec.name}, ${spec.country ?? 'SE'}, ${spec.maxConnections ?? 2}) returning id`
  const [hc] = await sql<{ id: number }[]>`insert into host_category (host_id, category_id) values (${host.id}, ${categoryId}) returning id`
  for (const url of spec.urls) await sql`insert into host_category_url (host_category_id, url) values (${hc.id}, ${url})`
  return { hostId: host.id, hostCategoryId: hc.id }
}

/** path -> up2date for one host category. */
export async function upToDateState(sql: Sql, hostCategoryId: number): Promise<Map<string, boolean>> {
  const rows = await sql<{ path: string; up2date: boolean }[]>`
    select path, up2date from host_category_dir where host_category_id = ${hostCategoryId} order by path`
  return new Map(rows.map((row) => [row.path, row.up2date]))
}

/** Directories of the master that have files (the ones a mirror can be stale in). */
export function masterPaths(): string[] {
  const dirs = new Set<string>([''])
  for (const path of [...Object.keys(MASTER_FILES), ...EMPTY_DIRS.map((d) => `${d}/x`)]) {
    const parts = path.split('/').slice(0, -1)
    for (let i = 1; i <= parts.length; i++) dirs.add(parts.slice(0, i).join('/'))
  }
  return [...dirs].sort()
}
