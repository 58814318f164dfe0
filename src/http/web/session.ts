/**
 * Sessions, CSRF and flash notices for every request (hooks on the root instance).
 *
 * - `mm_session`: the session id (HttpOnly, SameSite=Lax, Secure over https); the
 *   session lives in the database (src/lib/users/sessions.ts).
 * - CSRF: every POST carries `_csrf`. Signed in, it must equal the session's token;
 *   signed out (login, sign-up, reset forms), the `mm_csrf` cookie's (double submit).
 *   Anything else is refused with 403 before any route runs.
 * - `mm_flash`: one notice for the page after a redirect.
 */
import { timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isAdmin } from '../../lib/permissions/can.js'
import { createSession, endSession, findSession } from '../../lib/users/sessions.js'
import { randomToken } from '../../lib/users/tokens.js'
import type { User } from '../../lib/users/users.js'
import type { WebContext } from './context.js'

export const SESSION_COOKIE = 'mm_session'
const CSRF_COOKIE = 'mm_csrf'
const FLASH_COOKIE = 'mm_flash'

function cookieOptions(context: WebContext, request: FastifyRequest) {
  return { path: `${context.settings.basePath}/`, httpOnly: true, sameSite: 'lax' as const, secure: request.protocol === 'https' }
}

function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

export class CsrfRefusedError extends Error {}

export function installSessions(app: FastifyInstance, context: WebContext): void {
  app.decorateRequest('actor', undefined)
  app.decorateRequest('webSession', undefined)
  app.decorateRequest('csrfToken', '')
  app.decorateRequest('flash', null as never)

  app.addHook('preHandler', async (request, reply) => {
    request.flash = []
    const flash = request.cookies[FLASH_COOKIE]
    if (flash) {
      const [kind, ...text] = flash.split(':')
      request.flash.push({ kind: kind === 'error' ? 'error' : 'ok', text: text.join(':').slice(0, 300) })
      reply.clearCookie(FLASH_COOKIE, cookieOptions(context, request))
    }
    const id = request.cookies[SESSION_COOKIE]
    const session = id ? await findSession(context.sql, id) : undefined
    if (session) {
      request.webSession = { ...session, id: id! }
      request.actor = { username: session.user.username, admin: isAdmin(session.user, session.groups, context.settings.adminGroups) }
      request.csrfToken = session.csrfToken
    } else {
      if (id) reply.clearCookie(SESSION_COOKIE, cookieOptions(context, request))
      let token = request.cookies[CSRF_COOKIE]
      if (!token || !/^[A-Za-z0-9_-]{40,50}$/.test(token)) {
        token = randomToken()
        reply.setCookie(CSRF_COOKIE, token, cookieOptions(context, request))
      }
      request.csrfToken = token
    }
    if (request.method === 'POST') {
      const sent = (request.body as Record<string, unknown> | undefined)?._csrf
      if (!sameToken(typeof sent === 'string' ? sent : undefined, request.csrfToken)) throw new CsrfRefusedError()
    }
  })
}

/** Signs a user in: a new session (a new id and CSRF token; the old session, if any, ends). */
export async function signIn(context: WebContext, request: FastifyRequest, reply: FastifyReply, user: User, groups: string[] = []): Promise<void> {
  if (request.webSession) await endSession(context.sql, request.webSession.id)
  const session = await createSession(context.sql, user.id, { lifetimeSeconds: context.settings.sessionSeconds, address: request.ip, groups })
  reply.setCookie(SESSION_COOKIE, session.id, { ...cookieOptions(context, request), expires: session.expiresAt })
}

export async function signOut(context: WebContext, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.webSession) await endSession(context.sql, request.webSession.id)
  reply.clearCookie(SESSION_COOKIE, cookieOptions(context, request))
}

/** Redirects (303 after a POST) with a notice for the next page. */
export function redirectWithNotice(context: WebContext, request: FastifyRequest, reply: FastifyReply, path: string, text?: string, kind: 'ok' | 'error' = 'ok') {
  if (text) reply.setCookie(FLASH_COOKIE, `${kind}:${text.replace(/[^\x20-\x7e]/g, '?').slice(0, 300)}`, cookieOptions(context, request))
  return reply.code(303).redirect(`${context.settings.basePath}${path}`)
}

/** A `next` target only if it is a path of this application (no open redirect). */
export function safeNext(context: WebContext, next: unknown): string {
  const base = context.settings.basePath
  if (typeof next !== 'string' || !next.startsWith(`${base}/`) || next.startsWith('//') || /[\\\s]/.test(next) || next.startsWith(`${base}//`)) return `${base}/site/mine`
  return next
}
