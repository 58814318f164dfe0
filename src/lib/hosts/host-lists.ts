import { uniquely } from '../db/conflicts.js'
import type { Sql } from '../db/sql.js'
import { NotFoundError } from '../errors.js'
import { normalizeCountry } from '../validate/country.js'
import { normalizeNetblock } from '../validate/netblock.js'
import { autonomousSystemNumber } from '../validate/number.js'
import { resolveHost } from './host-ref.js'
import { LIMITS, limitText } from '../validate/text.js'

/**
 * The per-host lists that steer clients to a host: netblocks, peer ASNs, countries
 * allowed, and the ACL IPs allowed to pull from the master. One entry = one row.
 */
export type HostListKind = 'netblock' | 'peer-asn' | 'country-allowed' | 'acl-ip'

export interface HostListEntry {
  id: number
  host: string
  kind: HostListKind
  value: string | number
  name: string | null
}

interface ListTable {
  table: string
  column: string
  /** What the entry is called in messages. */
  label: string
}

const TABLES: Record<HostListKind, ListTable> = {
  netblock: { table: 'host_netblock', column: 'netblock', label: 'netblock' },
  'peer-asn': { table: 'host_peer_asn', column: 'asn', label: 'peer ASN' },
  'country-allowed': { table: 'host_country_allowed', column: 'country', label: 'allowed country' },
  'acl-ip': { table: 'host_acl_ip', column: 'ip', label: 'ACL entry' },
}

/** ACL entries: an IP address, a netblock of any size, or a DNS host name. */
function normalizeAclEntry(input: string): string {
  const value = normalizeNetblock(input, { allowHostName: true, limitSize: false, field: 'acl-ip' })
  return value.replace(/\/(32|128)$/, (suffix) => (input.includes('/') ? suffix : ''))
}

/** The stored form of an entry. `force` allows netblocks larger than /16 (IPv4) or /32 (IPv6). */
export function normalizeHostListValue(kind: HostListKind, input: string, options: { force?: boolean } = {}): string | number {
  switch (kind) {
    case 'netblock':
      return normalizeNetblock(input, { allowHostName: true, force: options.force })
    case 'peer-asn':
      return autonomousSystemNumber(input)
    case 'country-allowed':
      return normalizeCountry(input)
    case 'acl-ip':
      return normalizeAclEntry(input)
  }
}

export async function addHostListEntry(
  sql: Sql,
  kind: HostListKind,
  hostReference: string,
  input: string,
  options: { force?: boolean; name?: string } = {},
): Promise<HostListEntry> {
  const { table, column, label } = TABLES[kind]
  const value = normalizeHostListValue(kind, input, options)
  const host = await resolveHost(sql, hostReference)
  const row: Record<string, unknown> = { hostId: host.id, [column]: value }
  if (options.name !== undefined && (kind === 'netblock' || kind === 'peer-asn')) row.name = limitText(options.name, 'name', LIMITS.name)
  const [{ id }] = await uniquely(
    sql<{ id: number }[]>`insert into ${sql(table)} ${sql(row)} returning id`,
    `host "${host.site}/${host.name}" already has ${label} ${value}`,
  )
  return { id, host: `${host.site}/${host.name}`, kind, value, name: (row.name as string | undefined) ?? null }
}

export async function removeHostListEntry(sql: Sql, kind: HostListKind, hostReference: string, input: string): Promise<HostListEntry> {
  const { table, column, label } = TABLES[kind]
  const value = normalizeHostListValue(kind, input, { force: true })
  const host = await resolveHost(sql, hostReference)
  const [removed] = await sql<{ id: number; name?: string | null }[]>`delete from ${sql(table)}
    where host_id = ${host.id} and ${sql(column)} = ${value} returning *`
  if (!removed) throw new NotFoundError(`host "${host.site}/${host.name}" has no ${label} ${value}`)
  return { id: removed.id, host: `${host.site}/${host.name}`, kind, value, name: removed.name ?? null }
}

export async function listHostListEntries(sql: Sql, kind: HostListKind, hostId: number): Promise<(string | number)[]> {
  const { table, column } = TABLES[kind]
  const rows = await sql<{ value: string | number }[]>`select ${sql(column)} as value from ${sql(table)}
    where host_id = ${hostId} order by ${sql(column)}`
  return rows.map((row) => row.value)
}

/** A host's entries of one list, with their names (netblocks and peer ASNs have one), in value order. */
export async function listHostEntries(sql: Sql, kind: HostListKind, hostReference: string): Promise<HostListEntry[]> {
  const { table, column } = TABLES[kind]
  const host = await resolveHost(sql, hostReference)
  const rows = await sql<{ id: number; value: string | number; name?: string | null }[]>`select * , ${sql(column)} as value from ${sql(table)}
    where host_id = ${host.id} order by ${sql(column)}`
  return rows.map((row) => ({ id: row.id, host: `${host.site}/${host.name}`, kind, value: row.value, name: row.name ?? null }))
}
