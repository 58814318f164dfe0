/**
 * Changes to hosts and the rows under them, made by someone: permission (can), the
 * library change (src/lib/hosts — the admin commands' functions and validation), and
 * the audit row, in one transaction. Children are always reached through their host.
 */
import { recordAudit } from '../audit/audit.js'
import { getCategory } from '../catalog/categories.js'
import { atomically } from '../db/conflicts.js'
import type { Sql } from '../db/sql.js'
import { ForbiddenError } from '../errors.js'
import { addHostCategory, removeHostCategory } from '../hosts/host-categories.js'
import { addHostListEntry, removeHostListEntry, type HostListKind } from '../hosts/host-lists.js'
import { addHostUrl, removeHostUrl } from '../hosts/host-urls.js'
import { addHost, getHostById, removeHost, updateHost, type Host, type HostChanges, type HostFields } from '../hosts/hosts.js'
import { can, type Actor } from '../permissions/can.js'
import { authorize, hostOwnership, siteOwnership, type HostOwnership } from '../permissions/ownership.js'
import { requireHostName } from '../validate/name.js'

/** Host fields only admins set: for others they are left as they are (a new host gets the defaults). */
export const ADMIN_HOST_FIELDS = ['adminActive', 'internet2', 'internet2Clients', 'asn', 'asnClients'] as const

function withoutAdminFields<T extends HostChanges>(actor: Actor, fields: T): T {
  if (can(actor, 'host.admin-fields')) return fields
  const rest = { ...fields } as Record<string, unknown>
  for (const key of ADMIN_HOST_FIELDS) delete rest[key]
  return rest as unknown as T
}

const hostTarget = (owner: HostOwnership) => `host "${owner.siteName}/${owner.hostName}"`

async function audit(tx: Sql, actor: Actor, owner: HostOwnership, action: string, target: string, before?: unknown, after?: unknown) {
  await recordAudit(tx, { actor: actor.username, action, siteId: owner.siteId, siteName: owner.siteName, hostId: owner.hostId, target, before, after })
}

export async function hostById(sql: Sql, actor: Actor, hostId: number): Promise<Host> {
  authorize(actor, 'host.view', await hostOwnership(sql, hostId))
  return getHostById(sql, hostId)
}

export async function createHost(sql: Sql, actor: Actor, siteId: number, name: string, fields: HostFields & { country: string }): Promise<Host> {
  return atomically(sql, async (tx) => {
    const site = await siteOwnership(tx, siteId)
    authorize(actor, 'host.create', site)
    const host = await addHost(tx, `${site.siteName}/${requireHostName(name)}`, withoutAdminFields(actor, fields))
    await audit(tx, actor, { ...site, hostId: host.id, hostName: host.name }, 'host.create', `host "${site.siteName}/${host.name}"`, undefined, host)
    return host
  })
}

export async function editHost(sql: Sql, actor: Actor, hostId: number, changes: HostChanges): Promise<Host> {
  return atomically(sql, async (tx) => {
    const owner = await hostOwnership(tx, hostId)
    authorize(actor, 'host.edit', owner)
    const before = await getHostById(tx, hostId)
    const after = await updateHost(tx, String(hostId), withoutAdminFields(actor, changes))
    if (before.private !== after.private) {
      await tx`update host_category_dir set up2date = false where host_category_id in (select id from host_category where host_id = ${hostId})`
    }
    await audit(tx, actor, owner, 'host.edit', hostTarget(owner), before, after)
    return after
  })
}

export async function dropHost(sql: Sql, actor: Actor, hostId: number): Promise<Host> {
  return atomically(sql, async (tx) => {
    const owner = await hostOwnership(tx, hostId)
    authorize(actor, 'host.delete', owner)
    const host = await removeHost(tx, String(hostId))
    await audit(tx, actor, owner, 'host.delete', hostTarget(owner), host)
    return host
  })
}

/**
 * Adds a netblock, peer ASN, allowed country or ACL entry. Netblocks get the admin
 * commands' validation; only admins may add one larger than /16 or /32 (as --force).
 */
export async function addHostEntry(sql: Sql, actor: Actor, hostId: number, kind: HostListKind, value: string, name?: string) {
  return atomically(sql, async (tx) => {
    const owner = await hostOwnership(tx, hostId)
    authorize(actor, kind === 'peer-asn' ? 'host.admin-fields' : 'host.children', owner)
    const entry = await addHostListEntry(tx, kind, String(hostId), value, { force: can(actor, 'netblock.large'), name })
    await audit(tx, actor, owner, `host.${kind}.add`, `${kind} ${entry.value} of ${hostTarget(owner)}`, undefined, { value: entry.value, name: entry.name })
    return entry
  })
}

export async function removeHostEntry(sql: Sql, actor: Actor, hostId: number, kind: HostListKind, value: string) {
  return atomically(sql, async (tx) => {
    const owner = await hostOwnership(tx, hostId)
    authorize(actor, kind === 'peer-asn' ? 'host.admin-fields' : 'host.children', owner)
    const entry = await removeHostListEntry(tx, kind, String(hostId), value)
    await audit(tx, actor, owner, `host.${kind}.remove`, `${kind} ${entry.value} of ${hostTarget(owner)}`, { value: entry.value, name: entry.name })
    return entry
  })
}

/** Carries a category; admin-only categories and always-up-to-date are for admins. */
export async function addCategoryToHost(sql: Sql, actor: Actor, hostId: number, categoryName: string, options: { alwaysUp2date?: boolean } = {}) {
  return atomically(sql, async (tx) => {
    const owner = await hostOwnership(tx, hostId)
    authorize(actor, 'host.children', owner)
    const category = await getCategory(tx, categoryName)
    if ((category.adminOnly || options.alwaysUp2date) && !can(actor, 'category.admin-only')) {
      throw new ForbiddenError(category.adminOnly ? `category "${category.name}" is added by the mirror admins only` : 'only mirror admins mark a category always up to date')
    }
    const added = await addHostCategory(tx, String(hostId), category.name, options)
    await audit(tx, actor, owner, 'host.category.add', `category "${category.name}" of ${hostTarget(owner)}`, undefined, added)
    return added
  })
}

export async function removeCategoryFromHost(sql: Sql, actor: Actor, hostId: number, categoryName: string) {
  return atomically(sql, async (tx) => {
    const owner = await hostOwnership(tx, hostId)
    authorize(actor, 'host.children', owner)
    const removed = await removeHostCategory(tx, String(hostId), categoryName)
    await audit(tx, actor, owner, 'host.category.remove', `category "${categoryName}" of ${hostTarget(owner)}`, removed)
    return removed
  })
}

export async function addUrlToHost(sql: Sql, actor: Actor, hostId: number, categoryName: string, url: string, options: { private?: boolean } = {}) {
  return atomically(sql, async (tx) => {
    const owner = await hostOwnership(tx, hostId)
    authorize(actor, 'host.children', owner)
    if (options.private && !can(actor, 'category.admin-only')) throw new ForbiddenError('only mirror admins add private URLs')
    // A URL brings its category along when the host lacks it: the same rule as adding the category.
    if ((await getCategory(tx, categoryName)).adminOnly && !can(actor, 'category.admin-only')) {
      throw new ForbiddenError(`category "${categoryName}" is added by the mirror admins only`)
    }
    const added = await addHostUrl(tx, String(hostId), categoryName, url, options)
    await audit(tx, actor, owner, 'host.url.add', `URL ${added.url} of ${hostTarget(owner)}`, undefined, added)
    return added
  })
}

export async function removeUrlFromHost(sql: Sql, actor: Actor, hostId: number, url: string) {
  return atomically(sql, async (tx) => {
    const owner = await hostOwnership(tx, hostId)
    authorize(actor, 'host.children', owner)
    const removed = await removeHostUrl(tx, String(hostId), url)
    await audit(tx, actor, owner, 'host.url.remove', `URL ${removed.url} of ${hostTarget(owner)}`, removed)
    return removed
  })
}
