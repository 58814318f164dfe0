/**
 * Changes to sites made by someone: the permission check (can), the library change
 * (src/lib/sites — the same functions the admin commands use), and the audit row, in one
 * transaction. Used by serve-web and by the admin commands (as the local OS user).
 */
import { recordAudit } from '../audit/audit.js'
import { atomically } from '../db/conflicts.js'
import type { Sql } from '../db/sql.js'
import { ConflictError, NotFoundError } from '../errors.js'
import type { Actor } from '../permissions/can.js'
import { can } from '../permissions/can.js'
import { authorize, siteOwnership } from '../permissions/ownership.js'
import { requireUsername } from '../users/users.js'
import { addSiteAdmin, removeSiteAdmin } from '../sites/site-admins.js'
import { setSitePassword } from '../sites/site-password.js'
import { addSite, getSite, removeSite, updateSite, type Site, type SiteChanges, type SiteFields } from '../sites/sites.js'

/** Fields only admins set; for others they keep their value (a new site is admin-active). */
function withoutAdminFields<T extends SiteChanges>(actor: Actor, fields: T): T {
  if (can(actor, 'host.admin-fields')) return fields
  const { adminActive: _ignored, ...rest } = fields
  return rest as T
}

function auditSite(site: Site) {
  const { hosts: _h, admins: _a, ...fields } = site
  return fields
}

export async function siteById(sql: Sql, actor: Actor, siteId: number): Promise<Site> {
  const owner = await siteOwnership(sql, siteId)
  authorize(actor, 'site.view', owner)
  return getSite(sql, owner.siteName)
}

/**
 * A new site. From the web the creator becomes its first admin (`addCreatorAsAdmin`);
 * a password, when given, is what report-mirror checks in with.
 */
export async function createSite(
  sql: Sql,
  actor: Actor,
  name: string,
  fields: SiteFields & { password?: string },
  options: { addCreatorAsAdmin?: boolean } = {},
): Promise<Site> {
  authorize(actor, 'site.create')
  const { password, ...siteFields } = withoutAdminFields(actor, fields)
  return atomically(sql, async (tx) => {
    let site = await addSite(tx, name, { createdBy: actor.username, ...siteFields })
    if (password) await setSitePassword(tx, site.name, password)
    if (options.addCreatorAsAdmin) await addSiteAdmin(tx, site.name, actor.username)
    site = await getSite(tx, site.name)
    await recordAudit(tx, { actor: actor.username, action: 'site.create', siteId: site.id, siteName: site.name, target: `site "${site.name}"`, after: auditSite(site) })
    return site
  })
}

export async function editSite(sql: Sql, actor: Actor, siteId: number, changes: SiteChanges & { password?: string }): Promise<Site> {
  return atomically(sql, async (tx) => {
    const owner = await siteOwnership(tx, siteId)
    authorize(actor, 'site.edit', owner)
    const { password, ...siteChanges } = withoutAdminFields(actor, changes)
    const before = await getSite(tx, owner.siteName)
    let after = await updateSite(tx, owner.siteName, siteChanges)
    if (password) after = (await setSitePassword(tx, after.name, password), await getSite(tx, after.name))
    if (before.private !== after.private) {
      // A private site's hosts are crawled differently: their directories are stale until the next crawl.
      await tx`update host_category_dir set up2date = false where host_category_id in
        (select hc.id from host_category hc join host h on h.id = hc.host_id where h.site_id = ${siteId})`
    }
    await recordAudit(tx, {
      actor: actor.username, action: 'site.edit', siteId, siteName: after.name, target: `site "${after.name}"`,
      before: auditSite(before), after: { ...auditSite(after), ...(password ? { password: 'changed' } : {}) },
    })
    return after
  })
}

export async function dropSite(sql: Sql, actor: Actor, siteId: number): Promise<Site> {
  return atomically(sql, async (tx) => {
    const owner = await siteOwnership(tx, siteId)
    authorize(actor, 'site.delete', owner)
    const site = await removeSite(tx, owner.siteName, { force: true })
    await recordAudit(tx, { actor: actor.username, action: 'site.delete', siteId, siteName: site.name, target: `site "${site.name}"`, before: auditSite(site) })
    return site
  })
}

export async function addAdminToSite(sql: Sql, actor: Actor, siteId: number, username: string): Promise<Site> {
  return atomically(sql, async (tx) => {
    const owner = await siteOwnership(tx, siteId)
    authorize(actor, 'site.admins', owner)
    const added = await addSiteAdmin(tx, owner.siteName, requireUsername(username))
    await recordAudit(tx, { actor: actor.username, action: 'site.admin.add', siteId, siteName: owner.siteName, target: `admin "${added.username}" of site "${owner.siteName}"`, after: added.username })
    return getSite(tx, owner.siteName)
  })
}

/** Removes an admin; the last one stays unless an admin removes it (a site is never orphaned by its own admins). */
export async function removeAdminFromSite(sql: Sql, actor: Actor, siteId: number, username: string): Promise<Site> {
  return atomically(sql, async (tx) => {
    const owner = await siteOwnership(tx, siteId)
    authorize(actor, 'site.admins', owner)
    if (!owner.admins.includes(username)) throw new NotFoundError(`"${username}" is not an admin of site "${owner.siteName}"`)
    if (owner.admins.length === 1 && !can(actor, 'user.manage')) throw new ConflictError(`"${username}" is the last admin of site "${owner.siteName}"; add another first`)
    await removeSiteAdmin(tx, owner.siteName, username)
    await recordAudit(tx, { actor: actor.username, action: 'site.admin.remove', siteId, siteName: owner.siteName, target: `admin "${username}" of site "${owner.siteName}"`, before: username })
    return getSite(tx, owner.siteName)
  })
}
