import { atomically, definedChanges, uniquely } from '../db/conflicts.js'
import type { Sql } from '../db/sql.js'
import { NotFoundError } from '../errors.js'
import { getSite } from '../sites/sites.js'
import { normalizeCountry } from '../validate/country.js'
import { requireHostName } from '../validate/name.js'
import { LIMITS, optionalText } from '../validate/text.js'
import { autonomousSystemNumber, positiveInteger } from '../validate/number.js'
import { addHostCategory } from './host-categories.js'
import { resolveHost, splitSiteHost } from './host-ref.js'

export interface Host {
  id: number
  site: string
  name: string
  country: string
  bandwidth: number
  private: boolean
  internet2: boolean
  internet2Clients: boolean
  asn: number | null
  asnClients: boolean
  maxConnections: number
  adminActive: boolean
  userActive: boolean
  comment: string | null
  robotEmail: string | null
  lastCheckedIn: Date | null
  lastCrawled: Date | null
  crawlFailures: number
  disableReason: string | null
}

/** What an admin sets on a host; strings are validated here (commands pass flags as typed). */
export interface HostFields {
  country?: string
  bandwidth?: string | number
  private?: boolean
  internet2?: boolean
  internet2Clients?: boolean
  asn?: string | number | null
  asnClients?: boolean
  maxConnections?: string | number
  adminActive?: boolean
  userActive?: boolean
  comment?: string
  robotEmail?: string
}

export interface HostChanges extends HostFields {
  name?: string
}

/** undefined: unchanged; null or '': no ASN; else a validated ASN. */
function asnColumn(asn: HostFields['asn']): number | null | undefined {
  if (asn === undefined) return undefined
  return asn === null || asn === '' ? null : autonomousSystemNumber(asn)
}

function hostColumns(fields: HostChanges) {
  return definedChanges({
    name: fields.name === undefined ? undefined : requireHostName(fields.name),
    country: fields.country === undefined ? undefined : normalizeCountry(fields.country),
    bandwidthInt: fields.bandwidth === undefined ? undefined : positiveInteger(fields.bandwidth, 'bandwidth'),
    private: fields.private,
    internet2: fields.internet2,
    internet2Clients: fields.internet2Clients,
    asn: asnColumn(fields.asn),
    asnClients: fields.asnClients,
    maxConnections: fields.maxConnections === undefined ? undefined : positiveInteger(fields.maxConnections, 'max-connections'),
    adminActive: fields.adminActive,
    userActive: fields.userActive,
    comment: optionalText(fields.comment, 'comment', LIMITS.longText),
    robotEmail: optionalText(fields.robotEmail, 'robot-email'),
  })
}

function selectHosts(sql: Sql) {
  return sql`select h.id, s.name as site, h.name, h.country, h.bandwidth_int as bandwidth, h.private, h.internet2,
      h.internet2_clients, h.asn, h.asn_clients, h.max_connections, h.admin_active, h.user_active, h.comment,
      h.robot_email, h.last_checked_in, h.last_crawled, h.crawl_failures, h.disable_reason
    from host h join site s on s.id = h.site_id`
}

export async function getHostById(sql: Sql, id: number): Promise<Host> {
  const [host] = await sql<Host[]>`${selectHosts(sql)} where h.id = ${id}`
  if (!host) throw new NotFoundError(`no host with id ${id}`)
  return host
}

export async function getHost(sql: Sql, reference: string): Promise<Host> {
  return getHostById(sql, (await resolveHost(sql, reference)).id)
}

/**
 * Adds a host `SITE/HOST`, and optionally the categories it carries, in one transaction:
 * if any part is rejected, nothing is added.
 */
export async function addHost(
  sql: Sql,
  reference: string,
  fields: HostFields & { country: string },
  options: { categories?: string[]; alwaysUp2date?: boolean } = {},
): Promise<Host> {
  const { site: siteName, host: hostName } = splitSiteHost(reference)
  const columns = hostColumns({ ...fields, name: hostName })
  return atomically(sql, async (tx) => {
    const site = await getSite(tx, siteName)
    const [{ id }] = await uniquely(
      tx<{ id: number }[]>`insert into host ${tx({ siteId: site.id, ...columns })} returning id`,
      `site "${site.name}" already has a host "${columns.name}"`,
    )
    for (const category of options.categories ?? []) {
      await addHostCategory(tx, String(id), category, { alwaysUp2date: options.alwaysUp2date })
    }
    return getHostById(tx, id)
  })
}

export async function listHosts(sql: Sql, filter: { site?: string; country?: string } = {}): Promise<Host[]> {
  if (filter.site !== undefined) await getSite(sql, filter.site)
  const country = filter.country === undefined ? undefined : normalizeCountry(filter.country)
  return sql<Host[]>`${selectHosts(sql)}
    where ${filter.site === undefined ? sql`true` : sql`s.name = ${filter.site}`}
      and ${country === undefined ? sql`true` : sql`h.country = ${country}`}
    order by s.name, h.name`
}

export async function updateHost(sql: Sql, reference: string, changes: HostChanges): Promise<Host> {
  const columns = hostColumns(changes)
  const host = await resolveHost(sql, reference)
  if (Object.keys(columns).length > 0) {
    await uniquely(sql`update host set ${sql(columns)} where id = ${host.id}`, `site "${host.site}" already has a host "${columns.name}"`)
  }
  return getHostById(sql, host.id)
}

/** Removes a host with everything it has (categories, URLs, netblocks, ...), by design of the schema. */
export async function removeHost(sql: Sql, reference: string): Promise<Host> {
  return atomically(sql, async (tx) => {
    const host = await getHost(tx, reference)
    await tx`delete from host where id = ${host.id}`
    return host
  })
}
