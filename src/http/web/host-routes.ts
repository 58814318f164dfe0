/**
 * Hosts: /host/<site_id>/new, /host/<id> (edit; categories with URLs and crawl state,
 * netblocks, peer ASNs, countries allowed, ACL IPs — add and remove each), /host/<id>/drop,
 * /crawler/<id>.log. Children are always changed through their host's id.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { HostListKind } from '../../lib/hosts/host-lists.js'
import type { Host } from '../../lib/hosts/hosts.js'
import {
  addCategoryToHost, addHostEntry, addUrlToHost, createHost, dropHost, editHost, hostById, removeCategoryFromHost, removeHostEntry, removeUrlFromHost,
} from '../../lib/operations/hosts.js'
import { crawlLogText, hostPage, type HostPage } from '../../lib/operations/views.js'
import { siteOwnership, authorize } from '../../lib/permissions/ownership.js'
import { can, type Actor } from '../../lib/permissions/can.js'
import type { WebContext } from './context.js'
import { checkbox, checked, csrfField, errorsFrom, field, formErrors, formValues, postButton, textarea, type FieldErrors, type FormValues } from './forms.js'
import { actorOf, idParam } from './guard.js'
import { html, type Html } from './html.js'
import { redirectWithNotice } from './session.js'
import { auditTable } from './site-routes.js'
import { renderPage } from './shell.js'

const HOST_FIELDS = { 'host name': 'name', country: 'country', bandwidth: 'bandwidth_int', 'max-connections': 'max_connections', asn: 'asn' }

function hostFormValues(host: Host): FormValues {
  const flag = (value: boolean) => (value ? 'on' : undefined)
  return {
    name: host.name, country: host.country, bandwidth_int: String(host.bandwidth), max_connections: String(host.maxConnections),
    asn: host.asn === null ? '' : String(host.asn), private: flag(host.private), internet2: flag(host.internet2), internet2_clients: flag(host.internet2Clients),
    asn_clients: flag(host.asnClients), user_active: flag(host.userActive), admin_active: flag(host.adminActive), robot_email: host.robotEmail ?? '', comment: host.comment ?? '',
  }
}

function hostChanges(values: FormValues) {
  return {
    name: values.name ?? '',
    country: values.country ?? '',
    bandwidth: values.bandwidth_int ?? '',
    maxConnections: values.max_connections ?? '',
    asn: values.asn ?? '',
    private: checked(values, 'private'),
    internet2: checked(values, 'internet2'),
    internet2Clients: checked(values, 'internet2_clients'),
    asnClients: checked(values, 'asn_clients'),
    userActive: checked(values, 'user_active'),
    adminActive: checked(values, 'admin_active'),
    robotEmail: values.robot_email ?? '',
    comment: values.comment ?? '',
  }
}

function hostForm(action: string, csrf: string, actor: Actor, values: FormValues, errors: FieldErrors, button: string): Html {
  const locked = !can(actor, 'host.admin-fields')
  return html`${formErrors(errors)}<form class="stacked" method="post" action="${action}">${csrfField(csrf)}
${field({ name: 'name', label: 'Host name', values, errors, required: true, hint: 'The mirror\'s DNS name, e.g. mirror.example.edu.' })}
${field({ name: 'country', label: 'Country', values, errors, required: true, hint: 'Two letters (ISO 3166-1), e.g. DE.' })}
${field({ name: 'bandwidth_int', label: 'Bandwidth (Mbit/s)', values, errors, type: 'number', required: true })}
${field({ name: 'max_connections', label: 'Parallel connections per client', values, errors, type: 'number', required: true })}
${field({ name: 'robot_email', label: 'Email for automated notices', values, errors, type: 'email' })}
${textarea({ name: 'comment', label: 'Comment', values, errors })}
${checkbox({ name: 'user_active', label: 'Active', values })}
${checkbox({ name: 'private', label: 'Private (serves only its own netblocks)', values })}
${field({ name: 'asn', label: 'Autonomous system number', values, errors, disabled: locked, hint: locked ? 'Set by the mirror admins.' : undefined })}
${checkbox({ name: 'asn_clients', label: 'Prefer this host for clients in its ASN', values, disabled: locked })}
${checkbox({ name: 'internet2', label: 'On Internet2', values, disabled: locked })}
${checkbox({ name: 'internet2_clients', label: 'Serve Internet2 clients', values, disabled: locked })}
${checkbox({ name: 'admin_active', label: 'Enabled by the mirror admins', values, disabled: locked })}
<p><button type="submit">${button}</button></p></form>`
}

const KINDS: Record<string, { kind: HostListKind; title: string; label: string; named: boolean; placeholder: string; fields: Record<string, string> }> = {
  netblock: { kind: 'netblock', title: 'Netblocks', label: 'Netblock', named: true, placeholder: '192.0.2.0/24', fields: { netblock: 'value', name: 'name' } },
  asn: { kind: 'peer-asn', title: 'Peer ASNs', label: 'Peer ASN', named: true, placeholder: '64500', fields: { asn: 'value', name: 'name' } },
  country: { kind: 'country-allowed', title: 'Countries allowed', label: 'Country', named: false, placeholder: 'DE', fields: { country: 'value' } },
  host_acl_ip: { kind: 'acl-ip', title: 'ACL IPs (may rsync from the master)', label: 'IP address or name', named: false, placeholder: '192.0.2.10', fields: { 'acl-ip': 'value' } },
}

/**
 * A list's remove buttons share one form (one CSRF field) and each sends its own row as the
 * button's name=value: with a form per row, the 200 URLs of a big host were 200 forms, a
 * third of the page's bytes and of its rendering.
 */
function removeButton(name: string, value: string): Html {
  return html`<button type="submit" name="${name}" value="${value}">Remove</button>`
}

function entrySection(base: string, csrf: string, view: HostPage, path: string, entries: { value: string | number; name?: string | null }[], errors: FieldErrors, values: FormValues, allowed: boolean): Html {
  const spec = KINDS[path]
  const id = view.host.id
  return html`<h2 id="${path}">${spec.title}</h2>
${entries.length === 0 ? html`<p class="muted">None.</p>` : html`${allowed ? html`<form method="post" action="${base}/host/${id}/${path}/delete">${csrfField(csrf)}` : ''}<table><tbody>${entries.map((e) => html`<tr><td>${e.value}</td>${spec.named ? html`<td>${e.name ?? ''}</td>` : ''}<td>${allowed ? removeButton('value', String(e.value)) : ''}</td></tr>`)}</tbody></table>${allowed ? html`</form>` : ''}`}
${allowed ? html`${formErrors(errors)}<form class="inline" method="post" action="${base}/host/${id}/${path}/new">${csrfField(csrf)}
${spec.named ? html`<input type="text" name="name" placeholder="name" aria-label="${spec.label} name" value="${values.name ?? ''}">` : ''}
<input type="text" name="value" placeholder="${spec.placeholder}" aria-label="${spec.label}" value="${values.value ?? ''}"${errors.value ? html` aria-invalid="true"` : ''} required>
<button type="submit">Add</button></form>${errors.value ? html`<p class="field-error">${errors.value}</p>` : ''}${errors.name ? html`<p class="field-error">${errors.name}</p>` : ''}` : html`<p class="muted">Set by the mirror admins.</p>`}`
}

function categorySection(base: string, csrf: string, actor: Actor, view: HostPage, errors: FieldErrors, values: FormValues, section?: string): Html {
  const id = view.host.id
  const admin = can(actor, 'category.admin-only')
  return html`<h2 id="categories">Categories</h2>
${view.categories.length === 0 ? html`<p class="muted">This host carries no categories yet: add one, then its URLs.</p>` : ''}
${view.categories.map((c) => html`<section class="category"><h3>${c.category}${c.alwaysUp2date ? html` <span class="muted">(always up to date)</span>` : ''}</h3>
<p>${c.directories === 0 ? html`<span class="muted">Not crawled yet.</span>` : html`<span class="${c.upToDate === c.directories ? 'ok' : 'warn'}">${c.upToDate} of ${c.directories} directories up to date</span>${c.lastChecked ? html` <span class="muted">(checked ${c.lastChecked.toISOString().slice(0, 16).replace('T', ' ')})</span>` : ''}`}</p>
${c.urls.length === 0 ? '' : html`<form method="post" action="${base}/host/${id}/url/delete">${csrfField(csrf)}<table><tbody>${c.urls.map((u) => html`<tr><td>${u.url}${u.private ? html` <span class="muted">(private)</span>` : ''}</td><td>${removeButton('url', u.url)}</td></tr>`)}</tbody></table></form>`}
${section === `url-${c.category}` ? formErrors(errors) : ''}
<form class="inline" method="post" action="${base}/host/${id}/url/new">${csrfField(csrf)}<input type="hidden" name="category" value="${c.category}">
<input type="text" name="url" placeholder="https://mirror.example.org/pub/fedora/linux" aria-label="URL for ${c.category}" size="48" value="${section === `url-${c.category}` ? (values.url ?? '') : ''}" required>
${admin ? html`<label><input type="checkbox" name="private"> private</label>` : ''}<button type="submit">Add URL</button></form>
${section === `url-${c.category}` && errors.url ? html`<p class="field-error">${errors.url}</p>` : ''}
<p>${postButton(`${base}/host/${id}/category/delete`, csrf, `Stop carrying ${c.category}`, { danger: true, hidden: { category: c.category } })}</p></section>`)}
${section === 'category' ? formErrors(errors) : ''}
${view.addableCategories.length === 0 ? '' : html`<form class="inline" method="post" action="${base}/host/${id}/category/new">${csrfField(csrf)}
<label for="f-category">Add a category</label> <select id="f-category" name="category">${view.addableCategories.map((c) => html`<option${values.category === c.name ? html` selected` : ''}>${c.name}</option>`)}</select>
${admin ? html`<label><input type="checkbox" name="always_up2date"> always up to date</label>` : ''}<button type="submit">Add</button></form>`}`
}

type Req = FastifyRequest<{ Params: Record<string, string> }>

interface Problem {
  section: string
  errors: FieldErrors
  values: FormValues
}

export async function hostRoutes(app: FastifyInstance, { context }: { context: WebContext }) {
  const base = context.settings.basePath
  const sql = context.sql

  const newForm = async (request: Req, reply: FastifyReply, values: FormValues, errors: FieldErrors) => {
    const actor = actorOf(request)
    const site = await siteOwnership(sql, idParam(request))
    authorize(actor, 'host.create', site)
    return renderPage(context, request, reply, `Add a host to ${site.siteName}`, hostForm(`${base}/host/${site.siteId}/new`, request.csrfToken, actor, values, errors, 'Add the host'))
  }
  app.get('/host/:id/new', async (request: Req, reply) => newForm(request, reply, { bandwidth_int: '100', max_connections: '1', user_active: 'on', asn_clients: 'on', admin_active: 'on' }, {}))
  app.post('/host/:id/new', async (request: Req, reply) => {
    const values = formValues(request.body)
    const { name, ...fields } = hostChanges(values)
    let host
    try {
      host = await createHost(sql, actorOf(request), idParam(request), name, fields)
    } catch (error) {
      return newForm(request, reply, values, errorsFrom(error, HOST_FIELDS))
    }
    return redirectWithNotice(context, request, reply, `/host/${host.id}`, 'Host added. Now add its categories and URLs.')
  })

  const hostView = async (request: Req, reply: FastifyReply, edit?: { values: FormValues; errors: FieldErrors }, problem?: Problem) => {
    const actor = actorOf(request)
    const view = await hostPage(sql, actor, idParam(request))
    const csrf = request.csrfToken
    const id = view.host.id
    const p = (section: string) => (problem?.section === section ? problem : { errors: {}, values: {} })
    const owner = true // hostPage authorised host.view, which implies the owner actions below
    return renderPage(context, request, reply, `Host ${view.host.name}`, html`
<p><a href="${base}/site/${view.siteId}">← Site ${view.host.site}</a> · <a href="${base}/crawler/${id}.log">Crawl log</a>
${view.lastCrawl ? html` · last crawl ${view.lastCrawl.started.toISOString().slice(0, 16).replace('T', ' ')}: <span class="${view.lastCrawl.result === 'ok' ? 'ok' : 'bad'}">${view.lastCrawl.result}</span>` : html` · <span class="muted">not crawled yet</span>`}</p>
${hostForm(`${base}/host/${id}`, csrf, actor, edit?.values ?? hostFormValues(view.host), edit?.errors ?? {}, 'Save')}
${categorySection(base, csrf, actor, view, problem?.errors ?? {}, problem?.values ?? {}, problem?.section)}
${entrySection(base, csrf, view, 'netblock', view.netblocks, p('netblock').errors, p('netblock').values, owner)}
${entrySection(base, csrf, view, 'asn', view.peerAsns, p('asn').errors, p('asn').values, can(actor, 'host.admin-fields'))}
${entrySection(base, csrf, view, 'country', view.countriesAllowed.map((value) => ({ value })), p('country').errors, p('country').values, owner)}
${entrySection(base, csrf, view, 'host_acl_ip', view.aclIps.map((value) => ({ value })), p('host_acl_ip').errors, p('host_acl_ip').values, owner)}
<h2>Changes</h2>${auditTable(view.audit)}
<h2>Remove</h2><p><a href="${base}/host/${id}/drop">Remove this host…</a></p>`)
  }

  app.get('/host/:id', hostView)
  app.post('/host/:id', async (request: Req, reply) => {
    const values = formValues(request.body)
    const id = idParam(request)
    try {
      await editHost(sql, actorOf(request), id, hostChanges(values))
    } catch (error) {
      return hostView(request, reply, { values, errors: errorsFrom(error, HOST_FIELDS) })
    }
    return redirectWithNotice(context, request, reply, `/host/${id}`, 'Host updated.')
  })

  /** A child change: on a refusal the host page again, the error and the typed value next to that form. */
  const childChange = async (request: Req, reply: FastifyReply, section: string, fields: Record<string, string>, change: (values: FormValues) => Promise<unknown>, notice: string, anchor = section) => {
    const values = formValues(request.body)
    const id = idParam(request)
    try {
      await change(values)
    } catch (error) {
      return hostView(request, reply, undefined, { section, values, errors: errorsFrom(error, fields) })
    }
    return redirectWithNotice(context, request, reply, `/host/${id}#${anchor}`, notice)
  }

  for (const [path, spec] of Object.entries(KINDS)) {
    app.post(`/host/:id/${path}/new`, async (request: Req, reply) =>
      childChange(request, reply, path, spec.fields, (v) => addHostEntry(sql, actorOf(request), idParam(request), spec.kind, v.value ?? '', spec.named ? v.name || undefined : undefined), `${spec.label} added.`))
    app.post(`/host/:id/${path}/delete`, async (request: Req, reply) =>
      childChange(request, reply, path, spec.fields, (v) => removeHostEntry(sql, actorOf(request), idParam(request), spec.kind, v.value ?? ''), `${spec.label} removed.`))
  }
  app.post('/host/:id/category/new', async (request: Req, reply) =>
    childChange(request, reply, 'category', {}, (v) => addCategoryToHost(sql, actorOf(request), idParam(request), v.category ?? '', { alwaysUp2date: checked(v, 'always_up2date') }), 'Category added.', 'categories'))
  app.post('/host/:id/category/delete', async (request: Req, reply) =>
    childChange(request, reply, 'category', {}, (v) => removeCategoryFromHost(sql, actorOf(request), idParam(request), v.category ?? ''), 'Category removed.', 'categories'))
  app.post('/host/:id/url/new', async (request: Req, reply) => {
    const category = formValues(request.body).category ?? ''
    return childChange(request, reply, `url-${category}`, { url: 'url' }, (v) => addUrlToHost(sql, actorOf(request), idParam(request), category, v.url ?? '', { private: checked(v, 'private') }), 'URL added.', 'categories')
  })
  app.post('/host/:id/url/delete', async (request: Req, reply) =>
    childChange(request, reply, 'categories', { url: 'url' }, (v) => removeUrlFromHost(sql, actorOf(request), idParam(request), v.url ?? ''), 'URL removed.', 'categories'))

  app.get('/host/:id/drop', async (request: Req, reply) => {
    const id = idParam(request)
    const host = await hostById(sql, actorOf(request), id)
    return renderPage(context, request, reply, `Remove host ${host.name}?`, html`<p>This removes the host <strong>${host.name}</strong> of site ${host.site} with its categories, URLs and netblocks. It cannot be undone.</p>
${postButton(`${base}/host/${id}/drop`, request.csrfToken, 'Remove the host', { danger: true })} <a href="${base}/host/${id}">Cancel</a>`)
  })
  app.post('/host/:id/drop', async (request: Req, reply) => {
    const host = await dropHost(sql, actorOf(request), idParam(request))
    return redirectWithNotice(context, request, reply, '/site/mine', `Host ${host.name} removed.`)
  })

  app.get('/crawler/:file', async (request: Req, reply) => {
    const match = /^(\d{1,9})\.log$/.exec(request.params.file)
    if (!match) return reply.callNotFound()
    const text = await crawlLogText(sql, actorOf(request), Number(match[1]))
    return reply.type('text/plain; charset=utf-8').header('cache-control', 'no-store').send(text)
  })
}
