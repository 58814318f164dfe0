/**
 * Who may do what: one pure function, called by the web pages and the admin commands
 * alike, and tested as a table (role x action x owner). No database and no request here:
 * the caller loads the target's ownership (see ownership.ts) and asks.
 *
 * - Nobody signed in may do nothing.
 * - Admins (users flagged admin, members of `web.admin_group`, the local OS user running
 *   an admin command) may do everything.
 * - Everybody else may create sites, and may see and change the sites they administer
 *   (a site_admin row) or created, with the hosts of those sites and everything on them —
 *   except the admin-only actions below.
 */

export interface Actor {
  readonly username: string
  /** A flagged admin, a member of the admin group, or the CLI. */
  readonly admin: boolean
}

/** Whose a site is: its admins and the user who created it. */
export interface Ownership {
  readonly admins: readonly string[]
  readonly createdBy: string | null
}

export const ADMIN_ONLY_ACTIONS = [
  /** Every site at /admin/all_sites. */
  'site.list-all',
  /** admin_active on sites and hosts, internet2, ASN (and asn_clients), peer ASNs. */
  'host.admin-fields',
  /** always_up2date on a host category, categories flagged admin_only, private URLs. */
  'category.admin-only',
  /** Netblocks larger than /16 (IPv4) or /32 (IPv6). */
  'netblock.large',
  /** Accounts of other people. */
  'user.manage',
] as const

export const OWNER_ACTIONS = [
  'site.view',
  'site.edit',
  'site.delete',
  /** Add and remove the site's admins. */
  'site.admins',
  /** Add a host to the site. */
  'host.create',
  'host.view',
  'host.edit',
  'host.delete',
  /** Netblocks, countries allowed, ACL IPs, categories and URLs of a host. */
  'host.children',
  'crawl-log.view',
  'audit.view',
] as const

export type Action = (typeof ADMIN_ONLY_ACTIONS)[number] | (typeof OWNER_ACTIONS)[number] | 'site.create'

const adminOnly = new Set<string>(ADMIN_ONLY_ACTIONS)

export function owns(actor: Actor, target: Ownership): boolean {
  return target.admins.includes(actor.username) || (target.createdBy !== null && target.createdBy === actor.username)
}

export function can(actor: Actor | null | undefined, action: Action, target?: Ownership): boolean {
  if (!actor) return false
  if (actor.admin) return true
  if (action === 'site.create') return true
  if (adminOnly.has(action)) return false
  return target !== undefined && owns(actor, target)
}

/** Whether a user is an admin: flagged so, or in one of the admin groups. */
export function isAdmin(user: { admin: boolean }, groups: readonly string[], adminGroups: readonly string[]): boolean {
  return user.admin || groups.some((group) => adminGroups.includes(group))
}
