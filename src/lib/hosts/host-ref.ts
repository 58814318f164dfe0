import type { Sql } from '../db/sql.js'
import { NotFoundError, UsageError, ValidationError } from '../errors.js'

/**
 * How commands name a host, everywhere (HOST arguments):
 *   - `SITE/HOST`  the site name and the host name (split at the last "/"),
 *   - `HOST`       a host name alone, when exactly one site has a host of that name,
 *   - `42`         the numeric host id (as shown by `host list`).
 */
export interface HostRef {
  id: number
  site: string
  name: string
}

export const HOST_REFERENCE_HELP = 'A host: SITE/HOST, a host name that is unique across sites, or a numeric host id.'

/** Splits `SITE/HOST`; both parts must be present. */
export function splitSiteHost(reference: string): { site: string; host: string } {
  const slash = reference.lastIndexOf('/')
  const site = reference.slice(0, slash).trim()
  const host = reference.slice(slash + 1).trim()
  if (slash < 0 || !site || !host) {
    throw new ValidationError(`host: "${reference}" must be written SITE/HOST, e.g. "Example University/mirror.example.edu"`, { field: 'host' })
  }
  return { site, host }
}

export async function resolveHost(sql: Sql, reference: string): Promise<HostRef> {
  const text = reference.trim()
  let rows: HostRef[]
  if (/^\d+$/.test(text)) {
    rows = await sql<HostRef[]>`select h.id, s.name as site, h.name from host h join site s on s.id = h.site_id where h.id = ${Number(text)}`
  } else if (text.includes('/')) {
    const { site, host } = splitSiteHost(text)
    rows = await sql<HostRef[]>`select h.id, s.name as site, h.name from host h join site s on s.id = h.site_id
      where s.name = ${site} and h.name = ${host}`
  } else {
    rows = await sql<HostRef[]>`select h.id, s.name as site, h.name from host h join site s on s.id = h.site_id
      where h.name = ${text} order by s.name`
  }
  if (rows.length === 0) throw new NotFoundError(`no host "${reference}" (see \`mirrormanager host list\`)`)
  if (rows.length > 1) {
    throw new UsageError(`host name "${reference}" exists on ${rows.length} sites; name it as ${rows.map((r) => `"${r.site}/${r.name}"`).join(' or ')}`)
  }
  return rows[0]
}
