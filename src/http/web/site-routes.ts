/**
 * Sites: /site/mine, /admin/all_sites, /site/new, /site/<id> (edit, hosts, admins, audit),
 * /site/<id>/drop. Each route parses, calls one operation (src/lib/operations), renders.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { describeChange, type AuditRecord } from '../../lib/audit/audit.js'
import { addAdminToSite, createSite, dropSite, editSite, removeAdminFromSite, siteById } from '../../lib/operations/sites.js'
import { sitePage, sitesOf } from '../../lib/operations/views.js'
import { can, type Actor } from '../../lib/permissions/can.js'
import type { Site } from '../../lib/sites/sites.js'
import type { WebContext } from './context.js'
import { checkbox, checked, csrfField, errorsFrom, field, formErrors, formValues, postButton, textarea, type FieldErrors, type FormValues } from './forms.js'
import { actorOf, idParam } from './guard.js'
import { html, type Html } from './html.js'
import { redirectWithNotice } from './session.js'
import { renderPage } from './shell.js'

const SITE_FIELDS = { 'site name': 'name', 'org-url': 'org_url', password: 'password', username: 'username' }

export function siteFormValues(site: Site): FormValues {
  const flag = (value: boolean) => (value ? 'on' : undefined)
  return {
    name: site.name, org_url: site.orgUrl ?? '', private: flag(site.private), admin_active: flag(site.adminActive), user_active: flag(site.userActive),
    all_sites_can_pull_from_me: flag(site.allSitesCanPullFromMe), downstream_comments: site.downstreamComments ?? '',
  }
}

function siteChanges(values: FormValues) {
  return {
    name: values.name ?? '',
    orgUrl: values.org_url ?? '',
    password: values.password || undefined,
    private: checked(values, 'private'),
    adminActive: checked(values, 'admin_active'),
    userActive: checked(values, 'user_active'),
    allSitesCanPullFromMe: checked(values, 'all_sites_can_pull_from_me'),
    downstreamComments: values.downstream_comments ?? '',
  }
}

function siteForm(action: string, csrf: string, actor: Actor, values: FormValues, errors: FieldErrors, button: string): Html {
  const admin = can(actor, 'host.admin-fields')
  return html`${formErrors(errors)}<form class="stacked" method="post" action="${action}">${csrfField(csrf)}
${field({ name: 'name', label: 'Site name', values, errors, required: true })}
${field({ name: 'org_url', label: 'Organisation URL', values, errors, type: 'url', required: true, hint: 'Your organisation\'s web page.' })}
${field({ name: 'password', label: 'Site password', values, errors, type: 'password', autocomplete: 'new-password', hint: 'What report-mirror checks in with. Leave empty to keep it unchanged.' })}
${checkbox({ name: 'private', label: 'Private site (its hosts serve only their own netblocks)', values })}
${checkbox({ name: 'user_active', label: 'Active', values })}
${checkbox({ name: 'admin_active', label: 'Enabled by the mirror admins', values, disabled: !admin })}
${checkbox({ name: 'all_sites_can_pull_from_me', label: 'Any site may sync from this one', values })}
${textarea({ name: 'downstream_comments', label: 'Notes for sites pulling from this one', values, errors })}
<p><button type="submit">${button}</button></p></form>`
}

export function auditTable(entries: AuditRecord[]): Html {
  if (entries.length === 0) return html`<p class="muted">No changes recorded yet.</p>`
  return html`<table><thead><tr><th>When</th><th>Who</th><th>What</th><th>Change</th></tr></thead><tbody>
${entries.map((e) => html`<tr><td>${e.at.toISOString().replace('T', ' ').slice(0, 19)}</td><td>${e.actor}</td><td>${e.action}: ${e.target}</td><td class="change">${describeChange(e.before, e.after).slice(0, 400)}</td></tr>`)}
</tbody></table>`
}

function siteTable(base: string, sites: Site[]): Html {
  if (sites.length === 0) return html`<p>No sites yet. <a href="${base}/site/new">Add your site</a>.</p>`
  return html`<table><thead><tr><th>Site</th><th>Organisation</th><th class="num">Hosts</th><th>Admins</th><th>State</th></tr></thead><tbody>
${sites.map((s) => html`<tr><td><a href="${base}/site/${s.id}">${s.name}</a></td><td>${s.orgUrl ?? ''}</td><td class="num">${s.hosts}</td><td>${s.admins.join(', ')}</td><td>${s.adminActive && s.userActive ? html`<span class="ok">active</span>` : html`<span class="bad">inactive</span>`}${s.private ? ' · private' : ''}</td></tr>`)}
</tbody></table>`
}

type Req = FastifyRequest<{ Params: Record<string, string> }>

export async function siteRoutes(app: FastifyInstance, { context }: { context: WebContext }) {
  const base = context.settings.basePath
  const sql = context.sql

  app.get('/site/mine', async (request, reply) => {
    const sites = await sitesOf(sql, actorOf(request))
    return renderPage(context, request, reply, 'My sites', html`${siteTable(base, sites)}<p><a class="button" href="${base}/site/new">Add a site</a></p>`)
  })
  app.get('/admin/all_sites', async (request, reply) => {
    const sites = await sitesOf(sql, actorOf(request), { all: true })
    return renderPage(context, request, reply, 'All sites', siteTable(base, sites))
  })

  const newForm = (request: FastifyRequest, reply: FastifyReply, values: FormValues, errors: FieldErrors) =>
    renderPage(context, request, reply, 'Add a site', siteForm(`${base}/site/new`, request.csrfToken, actorOf(request), values, errors, 'Add the site'))
  app.get('/site/new', async (request, reply) => newForm(request, reply, { user_active: 'on', admin_active: 'on' }, {}))
  app.post('/site/new', async (request, reply) => {
    const actor = actorOf(request)
    const values = formValues(request.body)
    const { name, ...fields } = siteChanges(values)
    let site
    try {
      site = await createSite(sql, actor, name, fields, { addCreatorAsAdmin: true })
    } catch (error) {
      return newForm(request, reply, values, errorsFrom(error, SITE_FIELDS))
    }
    return redirectWithNotice(context, request, reply, `/site/${site.id}`, 'Site added. Now add its hosts.')
  })

  const sitePageView = async (request: Req, reply: FastifyReply, values?: FormValues, errors: FieldErrors = {}, adminErrors: FieldErrors = {}) => {
    const actor = actorOf(request)
    const id = idParam(request)
    const view = await sitePage(sql, actor, id)
    const csrf = request.csrfToken
    return renderPage(context, request, reply, `Site ${view.site.name}`, html`
${siteForm(`${base}/site/${id}`, csrf, actor, values ?? siteFormValues(view.site), errors, 'Save')}
<h2>Hosts</h2>
${view.hosts.length === 0 ? html`<p>No hosts yet.</p>` : html`<table><thead><tr><th>Host</th><th>Country</th><th class="num">Bandwidth</th><th>Last crawled</th><th>State</th></tr></thead><tbody>
${view.hosts.map((h) => html`<tr><td><a href="${base}/host/${h.id}">${h.name}</a></td><td>${h.country}</td><td class="num">${h.bandwidth}</td><td>${h.lastCrawled ? h.lastCrawled.toISOString().slice(0, 16).replace('T', ' ') : 'never'}</td><td>${h.adminActive && h.userActive ? html`<span class="ok">active</span>` : html`<span class="bad">inactive</span>`}</td></tr>`)}
</tbody></table>`}
<p><a class="button" href="${base}/host/${id}/new">Add a host</a></p>
<h2>Site admins</h2>
<ul>${view.site.admins.map((name) => html`<li>${name} ${postButton(`${base}/site/${id}/admin/delete`, csrf, 'Remove', { hidden: { username: name } })}</li>`)}</ul>
${formErrors(adminErrors)}
<form class="inline" method="post" action="${base}/site/${id}/admin/new">${csrfField(csrf)}<label for="f-username">Add an admin</label> <input id="f-username" type="text" name="username" placeholder="username" required> <button type="submit">Add</button></form>
${adminErrors.username ? html`<p class="field-error">${adminErrors.username}</p>` : ''}
${can(actor, 'audit.view', { admins: view.site.admins, createdBy: view.site.createdBy }) ? html`<h2>Changes</h2>${auditTable(view.audit)}` : ''}
<h2>Remove</h2><p><a href="${base}/site/${id}/drop">Remove this site and its hosts…</a></p>`)
  }
  app.get('/site/:id', sitePageView)
  app.post('/site/:id', async (request: Req, reply) => {
    const values = formValues(request.body)
    const id = idParam(request)
    try {
      await editSite(sql, actorOf(request), id, siteChanges(values))
    } catch (error) {
      return sitePageView(request, reply, values, errorsFrom(error, SITE_FIELDS))
    }
    return redirectWithNotice(context, request, reply, `/site/${id}`, 'Site updated.')
  })
  app.post('/site/:id/admin/new', async (request: Req, reply) => {
    const id = idParam(request)
    const values = formValues(request.body)
    try {
      await addAdminToSite(sql, actorOf(request), id, values.username ?? '')
    } catch (error) {
      return sitePageView(request, reply, undefined, {}, errorsFrom(error, SITE_FIELDS))
    }
    return redirectWithNotice(context, request, reply, `/site/${id}`, `${values.username} is now an admin of this site.`)
  })
  app.post('/site/:id/admin/delete', async (request: Req, reply) => {
    const id = idParam(request)
    const values = formValues(request.body)
    try {
      await removeAdminFromSite(sql, actorOf(request), id, values.username ?? '')
    } catch (error) {
      return sitePageView(request, reply, undefined, {}, errorsFrom(error, SITE_FIELDS))
    }
    return redirectWithNotice(context, request, reply, `/site/${id}`, `${values.username} is no longer an admin of this site.`)
  })
  app.get('/site/:id/drop', async (request: Req, reply) => {
    const id = idParam(request)
    const site = await siteById(sql, actorOf(request), id)
    return renderPage(context, request, reply, `Remove site ${site.name}?`, html`<p>This removes the site <strong>${site.name}</strong> with its ${site.hosts} host(s), their categories, URLs and netblocks. It cannot be undone.</p>
${postButton(`${base}/site/${id}/drop`, request.csrfToken, 'Remove the site', { danger: true })} <a href="${base}/site/${id}">Cancel</a>`)
  })
  app.post('/site/:id/drop', async (request: Req, reply) => {
    const site = await dropSite(sql, actorOf(request), idParam(request))
    return redirectWithNotice(context, request, reply, '/site/mine', `Site ${site.name} removed.`)
  })
}
