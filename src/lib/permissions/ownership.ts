/**
 * Loads whose a site or host is, fresh from the database on every call: a user removed
 * from a site loses access with the next request. A child row (netblock, URL, ACL IP)
 * is never reached by its own id: callers hold its host's id and check the host.
 */
import type { Sql } from '../db/sql.js'
import { ForbiddenError, NotFoundError } from '../errors.js'
import { can, type Action, type Actor, type Ownership } from './can.js'

export interface SiteOwnership extends Ownership {
  siteId: number
  siteName: string
}

export interface HostOwnership extends SiteOwnership {
  hostId: number
  hostName: string
}

export async function siteOwnership(sql: Sql, siteId: number): Promise<SiteOwnership> {
  const [row] = await sql<SiteOwnership[]>`select s.id as site_id, s.name as site_name, s.created_by,
      array(select username from site_admin a where a.site_id = s.id order by username) as admins
    from site s where s.id = ${siteId}`
  if (!row) throw new NotFoundError(`no site with id ${siteId}`)
  return { ...row, admins: [...row.admins] }
}

export async function hostOwnership(sql: Sql, hostId: number): Promise<HostOwnership> {
  const [row] = await sql<HostOwnership[]>`select h.id as host_id, h.name as host_name, s.id as site_id, s.name as site_name,
      s.created_by, array(select username from site_admin a where a.site_id = s.id order by username) as admins
    from host h join site s on s.id = h.site_id where h.id = ${hostId}`
  if (!row) throw new NotFoundError(`no host with id ${hostId}`)
  return { ...row, admins: [...row.admins] }
}

/** Throws ForbiddenError unless `can(actor, action, target)`. */
export function authorize(actor: Actor | null | undefined, action: Action, target?: Ownership): void {
  if (!can(actor, action, target)) {
    throw new ForbiddenError(actor ? `${actor.username} may not ${action.replace('.', ' ')} here` : 'sign in first')
  }
}
