/**
 * The rsync filter (`/rsyncFilter?categories=A,B&since=<unix time>&stripprefix=<path>`):
 * an include/exclude list for `rsync --exclude-from` that walks only the directories of
 * the categories changed since the mirror's last sync. MirrorManager2's inclusion rules:
 * directories whose ctime > since (strictly), their first N path components dropped
 * where N is the number of components of stripprefix (not checked against it), every
 * ancestor added, sorted, each as `+ D/` and `+ D/*`. Fixed: the list ends with `- *`
 * (MirrorManager2 wrote `+ *`, transferring everything), and an error (missing argument,
 * `since` not an integer) answers with its message and no includes, so a broken URL
 * transfers nothing.
 */
import type { Sql } from '../db/sql.js'

export interface RsyncFilterQuery {
  categories?: string
  since?: string
  stripprefix?: string
}

export type RsyncFilterRequest =
  | { ok: true; categories: string[]; since: number; stripprefix: string }
  | { ok: false; message: string }

/** Python's int(): optional sign, digits (underscores between them), surrounding whitespace. */
const PYTHON_INT = /^\s*[+-]?\d+(?:_\d+)*\s*$/

export function parseRsyncFilterQuery(query: RsyncFilterQuery): RsyncFilterRequest {
  const { categories, since, stripprefix } = query
  if (typeof categories !== 'string' || typeof since !== 'string' || typeof stripprefix !== 'string') {
    return { ok: false, message: 'Missing categories, since, or stripprefix arguments' }
  }
  if (!PYTHON_INT.test(since)) return { ok: false, message: 'value of argument since is not an integer' }
  const value = Number(since.trim().replaceAll('_', ''))
  // beyond any ctime either way: clamp so the database gets a valid bigint
  const clamped = Math.max(-(2 ** 53), Math.min(2 ** 53, value))
  return { ok: true, categories: categories.split(','), since: clamped, stripprefix }
}

/** The include directories (with their trailing `/`), from the changed directories' names. */
export function rsyncIncludes(directories: readonly string[], stripprefix: string): string[] {
  const strip = stripprefix.split('/').length
  const includes = new Set<string>()
  for (const name of directories) {
    const parts = name.split('/').slice(strip)
    includes.add(parts.join('/'))
    for (let i = 1; i < parts.length; i++) includes.add(parts.slice(0, i).join('/'))
  }
  // Python's sorted(): code point order, not locale order
  return [...includes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((d) => `${d}/`)
}

export function renderRsyncFilter(includes: readonly string[], message?: string): string {
  const lines = ['# rsync --exclude-from=(this file)', '']
  if (message !== undefined) lines.push(`# ${message.replace(/[\r\n]+/g, ' ')}`, '')
  lines.push('# includes', '')
  for (const include of includes) lines.push(`+ ${include}`, `+ ${include}*`)
  lines.push('', '# excludes', '', '- *', '', '# end of list')
  return `${lines.join('\n')}\n`
}

export async function changedDirectories(sql: Sql, categories: readonly string[], since: number): Promise<string[]> {
  if (categories.length === 0) return []
  const rows = await sql<{ name: string }[]>`
    select distinct d.name from directory d
    join category_directory cd on cd.directory_id = d.id
    join category c on c.id = cd.category_id
    where c.name = any(${categories as string[]}::text[]) and d.ctime > ${since}`
  return rows.map((r) => r.name)
}

/** The whole answer for a query string: always a filter, an error included. */
export async function rsyncFilter(sql: Sql, query: RsyncFilterQuery): Promise<string> {
  const request = parseRsyncFilterQuery(query)
  if (!request.ok) return renderRsyncFilter([], request.message)
  return renderRsyncFilter(rsyncIncludes(await changedDirectories(sql, request.categories, request.since), request.stripprefix))
}
