/**
 * `file-detail update PATH`: one file's details (size, md5/sha1/sha256/sha512, timestamp)
 * recomputed from the master tree now, without a umdl run — right after a push of one
 * repomd.xml (MirrorManager2's mm2_update-single-file-detail, update_single_file_detail).
 *
 * PATH is a file on disk under the top of a umdl category's `directory` source (or the
 * content root of a `fullfiletimelist` source); its directory must be known already (umdl
 * has seen it). The detail is added when it differs from every stored one for that
 * directory and file name, as umdl does; old ones are aged by the next umdl run. A
 * repomd.xml's timestamp is the newest <timestamp> of its data, any other file's its
 * modification time. One transaction.
 */
import { readFile, stat } from 'node:fs/promises'
import { dirname, basename, join, resolve } from 'node:path'
import { inTransaction, type Sql } from '../db/sql.js'
import { NotFoundError, ValidationError } from '../errors.js'
import { hashContent, repomdTimestamp, type ContentDetail } from '../master/repomd.js'
import { loadCategory } from '../umdl/category-store.js'
import type { UmdlCategoryConfig, UmdlSource } from '../umdl/config.js'
import { addFileDetails } from '../umdl/file-detail-writer.js'

export interface UpdateFileDetailOptions {
  path: string
  /** Only consider these categories (default: every configured one). */
  categories?: readonly string[]
}

export interface UpdateFileDetailResult {
  path: string
  category: string
  directory: string
  filename: string
  timestamp: number
  detail: ContentDetail
  /** False when a stored detail was already identical. */
  created: boolean
}

/** The directory on disk a source's category top lives in, or undefined (rsync: not local). */
function localTop(source: UmdlSource): string | undefined {
  if (source.type === 'directory') return source.path
  if (source.type === 'fullfiletimelist') {
    const root = source.root ?? dirname(source.path!)
    return source.subdir ? join(root, source.subdir) : root
  }
  return undefined
}

/** The category and path below its top of a file on disk. */
function locate(path: string, categories: readonly UmdlCategoryConfig[]): { category: string; relative: string } {
  for (const category of categories) {
    for (const source of category.sources) {
      const top = localTop(source)?.replace(/\/+$/, '')
      if (top && path.startsWith(`${top}/`)) return { category: category.name, relative: path.slice(top.length + 1) }
    }
  }
  throw new NotFoundError(`${path} is not under the directory of any umdl category source (config [[umdl.category]])`)
}

export async function updateFileDetail(sql: Sql, categories: readonly UmdlCategoryConfig[], options: UpdateFileDetailOptions): Promise<UpdateFileDetailResult> {
  const path = resolve(options.path)
  const wanted = options.categories?.length ? categories.filter((category) => options.categories!.includes(category.name)) : categories
  const { category, relative } = locate(path, wanted)
  let info
  try {
    info = await stat(path)
  } catch (error) {
    throw new NotFoundError(`${path}: ${(error as Error).message}`, { cause: error })
  }
  if (!info.isFile()) throw new ValidationError(`${path} is not a regular file`, { field: 'path' })
  const content = await readFile(path)
  const filename = basename(relative)
  const below = dirname(relative) === '.' ? '' : dirname(relative)
  const detail = hashContent(content)
  const timestamp = (filename === 'repomd.xml' ? repomdTimestamp(content.toString('utf8')) : null) ?? Math.floor(info.mtimeMs / 1000)
  return inTransaction(sql, async (tx) => {
    const row = await loadCategory(tx, category)
    const directory = below ? `${row.topdirName}/${below}` : row.topdirName
    const [known] = await tx<{ id: number }[]>`select id from directory where name = ${directory}`
    if (!known) throw new NotFoundError(`directory ${directory} is not in the database: run umdl for category ${category} first`)
    const created = await addFileDetails(tx, [{ path: directory, filename, timestamp, ...detail }], new Map([[directory, known.id]]))
    return { path, category, directory, filename, timestamp, detail, created: created > 0 }
  })
}
