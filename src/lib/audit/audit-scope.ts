/**
 * Which site and host an admin command's change concerns, from the names it was given:
 * the audit row's site id and name, host id and target text.
 */
import { userInfo } from 'node:os'
import type { Sql } from '../db/sql.js'
import { NotFoundError } from '../errors.js'
import { resolveHost } from '../hosts/host-ref.js'
import type { AuditEntry } from './audit.js'

export type AuditScope = Pick<AuditEntry, 'siteId' | 'siteName' | 'hostId' | 'target'>

/** How admin commands appear in the audit trail: the local OS user. */
export function cliActorName(): string {
  try {
    return `${userInfo().username} (cli)`
  } catch {
    return `uid ${process.getuid?.() ?? '?'} (cli)`
  }
}

export async function resolveAuditScope(sql: Sql, subject: { site?: string; host?: string }): Promise<AuditScope> {
  if (subject.host !== undefined) {
    const host = await resolveHost(sql, subject.host)
    const [site] = await sql<{ id: number }[]>`select site_id as id from host where id = ${host.id}`
    return { siteId: site.id, siteName: host.site, hostId: host.id, target: `host "${host.site}/${host.name}"` }
  }
  if (subject.site !== undefined) {
    const [site] = await sql<{ id: number; name: string }[]>`select id, name from site where name = ${subject.site}`
    if (!site) throw new NotFoundError(`no site named "${subject.site}"`)
    return { siteId: site.id, siteName: site.name, target: `site "${site.name}"` }
  }
  return { target: 'mirrormanager' }
}
