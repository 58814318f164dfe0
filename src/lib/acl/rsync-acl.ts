/**
 * The master rsync daemon's `hosts allow` list, from the ACL IPs of hosts (host_acl_ip):
 * only hosts and sites that are active (admin and user), each entry once, addresses in
 * address order (IPv4, IPv6) then host names alphabetically.
 *
 * An ACL entry is typed by a mirror admin: anything but an address, a CIDR block or a
 * host name pattern (letters, digits, . - _ * ?) is left out and reported, so a stray
 * space or comma can never widen or break the rsyncd.conf line.
 */
import { rename, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { Sql } from '../db/sql.js'
import { formatCidr, parseCidr } from '../netblocks/cidr.js'

export type RsyncAclFormat = 'rsyncd' | 'plain'

export interface RsyncAcl {
  entries: string[]
  /** Entries that are not an address, block or host name, with their host. */
  rejected: { host: string; entry: string }[]
}

const HOST_PATTERN = /^[A-Za-z0-9*?](?:[A-Za-z0-9.*?_-]{0,252})$/

function sortKey(entry: string): string {
  const cidr = parseCidr(entry)
  if (!cidr) return `2${entry.toLowerCase()}`
  return `${cidr.family === 4 ? 0 : 1}${cidr.words.map((word) => word.toString(16).padStart(8, '0')).join('')}${cidr.prefixLength.toString().padStart(3, '0')}`
}

export async function rsyncAcl(sql: Sql): Promise<RsyncAcl> {
  const rows = await sql<{ site: string; host: string; ip: string }[]>`
    select s.name as site, h.name as host, a.ip
      from host_acl_ip a
      join host h on h.id = a.host_id
      join site s on s.id = h.site_id
     where h.admin_active and h.user_active and s.admin_active and s.user_active`
  const entries = new Map<string, string>()
  const rejected: RsyncAcl['rejected'] = []
  for (const row of rows) {
    const text = row.ip.trim()
    const cidr = text.includes('/') || /^[0-9.]+$|:/.test(text) ? parseCidr(text) : undefined
    let entry: string | undefined
    if (cidr) entry = cidr.prefixLength === (cidr.family === 4 ? 32 : 128) ? formatCidr(cidr).replace(/\/\d+$/, '') : formatCidr(cidr)
    else if (HOST_PATTERN.test(text) && !/^[0-9.]+$/.test(text)) entry = text.toLowerCase()
    if (entry === undefined) rejected.push({ host: `${row.site}/${row.host}`, entry: row.ip })
    else entries.set(sortKey(entry), entry)
  }
  return { entries: [...entries.keys()].sort().map((key) => entries.get(key)!), rejected }
}

/** rsyncd: one `hosts allow = ...` line for rsyncd.conf (an empty list allows nobody); plain: one entry per line. */
export function renderRsyncAcl(acl: RsyncAcl, format: RsyncAclFormat): string {
  if (format === 'plain') return acl.entries.map((entry) => `${entry}\n`).join('')
  return `hosts allow = ${acl.entries.length > 0 ? acl.entries.join(' ') : '0.0.0.0/32'}\n`
}

/** Writes `text` beside `file` and renames it over `file`: readers see the old or the new file. */
export async function writeFileAtomically(file: string, text: string): Promise<void> {
  const temporary = join(dirname(file), `.${basename(file)}.tmp-${process.pid}`)
  try {
    await writeFile(temporary, text, { mode: 0o644 })
    await rename(temporary, file)
  } catch (error) {
    await rm(temporary, { force: true })
    throw error
  }
}
