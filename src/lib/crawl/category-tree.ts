/**
 * What the master holds for a category, loaded once per crawl run and shared by every
 * host that carries the category (directories, their short file lists, readability,
 * the sha256 of each directory's newest repomd.xml, and where its fullfiletimelist is).
 */
import type { Sql } from '../db/sql.js'
import type { CategoryTree, FileListLocation, MasterDirectory, MasterFile } from './types.js'
import { pathInCategory } from '../catalog/category-path.js'
import { isRepodataPath } from '../master/repodata-path.js'

interface DirectoryRow {
  id: number
  name: string
  readable: boolean
  files: unknown
}

const FILE_LIST = /^fullfiletimelist-/

function masterFiles(raw: unknown): MasterFile[] {
  if (!Array.isArray(raw)) return []
  const files: MasterFile[] = []
  for (const entry of raw) {
    const name = (entry as { name?: unknown })?.name
    const size = Number((entry as { size?: unknown })?.size)
    if (typeof name === 'string' && name !== '' && Number.isFinite(size)) files.push({ name, size })
  }
  return files
}

/** The category's fullfiletimelist: in its top directory, or one level up (Fedora's `pub/fedora`). */
async function findFileList(sql: Sql, topdir: string, topFiles: MasterFile[]): Promise<FileListLocation | undefined> {
  const inTop = topFiles.find((file) => FILE_LIST.test(file.name))
  if (inTop) return { reference: inTop.name, pathPrefix: '' }
  const slash = topdir.lastIndexOf('/')
  if (slash < 0) return undefined
  const [parent] = await sql<{ files: unknown }[]>`select files from directory where name = ${topdir.slice(0, slash)}`
  const above = parent ? masterFiles(parent.files).find((file) => FILE_LIST.test(file.name)) : undefined
  return above ? { reference: `../${above.name}`, pathPrefix: `${topdir.slice(slash + 1)}/` } : undefined
}

export async function loadCategoryTree(sql: Sql, categoryId: number): Promise<CategoryTree> {
  const [category] = await sql<{ name: string; topdir: string | null }[]>`
    select c.name, d.name as topdir from category c left join directory d on d.id = c.topdir_id where c.id = ${categoryId}`
  const topdir = category?.topdir ?? ''
  const rows = await sql<DirectoryRow[]>`
    select d.id, d.name, d.readable, d.files
    from category_directory cd join directory d on d.id = cd.directory_id
    where cd.category_id = ${categoryId}
    order by d.name`
  const repomd = await sql<{ directoryId: number; sha256: string | null }[]>`
    select distinct on (fd.directory_id) fd.directory_id, fd.sha256
    from file_detail fd join category_directory cd on cd.directory_id = fd.directory_id
    where cd.category_id = ${categoryId} and fd.filename = 'repomd.xml'
    order by fd.directory_id, fd.timestamp desc nulls last, fd.id desc`
  const sha256 = new Map(repomd.map((row) => [row.directoryId, row.sha256 ?? undefined]))
  const directories: MasterDirectory[] = []
  let topFiles: MasterFile[] = []
  for (const row of rows) {
    // A category without a top directory has no tree.
    const path = topdir === '' ? undefined : pathInCategory(topdir, row.name)
    if (path === undefined) continue
    const files = masterFiles(row.files)
    if (path === '') topFiles = files
    // The fullfiletimelist itself changes with every master update and mirrors copy it
    // last: comparing it would flag every top directory as stale most of the time.
    const compared = files.filter((file) => !FILE_LIST.test(file.name))
    directories.push({ id: row.id, path, readable: row.readable, files: compared, repomdSha256: sha256.get(row.id) })
  }
  return {
    categoryId,
    name: category?.name ?? String(categoryId),
    topdir,
    directories,
    fileList: topdir ? await findFileList(sql, topdir, topFiles) : undefined,
  }
}

/** Loads each category at most once per run, however many hosts carry it. */
export function categoryTreeCache(sql: Sql): (categoryId: number) => Promise<CategoryTree> {
  const trees = new Map<number, Promise<CategoryTree>>()
  return (categoryId) => {
    let tree = trees.get(categoryId)
    if (!tree) {
      tree = loadCategoryTree(sql, categoryId)
      trees.set(categoryId, tree)
    }
    return tree
  }
}

export function isRepodataDirectory(directory: MasterDirectory): boolean {
  return isRepodataPath(directory.path)
}
