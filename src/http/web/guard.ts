/** Helpers every admin route uses: who is asking, and which numeric id. */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { NotFoundError } from '../../lib/errors.js'
import type { Actor } from '../../lib/permissions/can.js'
import type { WebContext } from './context.js'

export class LoginRequired extends Error {}

/** The signed-in actor; otherwise the request ends in a redirect to /login?next=. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new LoginRequired()
  return request.actor
}

export function loginRedirect(context: WebContext, request: FastifyRequest, reply: FastifyReply) {
  const next = request.method === 'GET' ? request.url : `${context.settings.basePath}/site/mine`
  return reply.code(303).redirect(`${context.settings.basePath}/login?next=${encodeURIComponent(next)}`)
}

/** A route's numeric id (ids are guessable: permissions, not obscurity, protect them). */
export function idParam(request: FastifyRequest, name = 'id'): number {
  const text = (request.params as Record<string, string>)[name] ?? ''
  if (!/^\d{1,9}$/.test(text)) throw new NotFoundError(`no such page`)
  return Number(text)
}
