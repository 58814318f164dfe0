/** The admin pages' frame: layout.ts's page() with the nav and account area of this request. */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { WebContext } from './context.js'
import { postButton } from './forms.js'
import { html, type HtmlValue } from './html.js'
import { page, type NavLink } from './layout.js'

const PUBLIC_NAV: NavLink[] = [
  { href: '/mirrors', label: 'Mirrors' },
  { href: '/statistics', label: 'Statistics' },
  { href: '/propagation', label: 'Propagation' },
  { href: '/maps', label: 'Maps' },
]

export function renderPage(context: WebContext, request: FastifyRequest, reply: FastifyReply, title: string, body: HtmlValue, status = 200) {
  const base = context.settings.basePath
  const actor = request.actor
  const nav = [...PUBLIC_NAV, ...(actor ? [{ href: '/site/mine', label: 'My sites' }] : []), ...(actor?.admin ? [{ href: '/admin/all_sites', label: 'All sites' }] : [])]
  const account = actor
    ? html`<span>${actor.username}${actor.admin ? html` <span class="muted">(admin)</span>` : ''}</span>${postButton(`${base}/logout`, request.csrfToken, 'Log out')}`
    : html`<a href="${base}/login">Log in</a> <a href="${base}/user/new">Sign up</a>`
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(page({ title, basePath: base, body, nav, account, flash: request.flash ?? [] }).toString())
}
