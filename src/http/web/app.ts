/**
 * serve-web's fastify application: security headers, cookies, forms, rate limits,
 * sessions + CSRF, and the route plugins — registered in ROUTE PLUGINS below, the one
 * place to add another (the public pages' plugin, for one).
 */
import cookie from '@fastify/cookie'
import formbody from '@fastify/formbody'
import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { ForbiddenError, isMirrorManagerError, NotFoundError } from '../../lib/errors.js'
import { mirrorAdmins, repositoryList } from '../../lib/operations/api.js'
import { accountRoutes } from './account-routes.js'
import type { WebContext } from './context.js'
import { LoginRequired, loginRedirect } from './guard.js'
import { hostRoutes } from './host-routes.js'
import { html } from './html.js'
import { STYLESHEET, STYLESHEET_PATH } from './layout.js'
import { publicPagesPlugin } from './public/plugin.js'
import { renderWebMetrics, WebMetrics } from './metrics.js'
import { oidcRoutes } from './oidc-routes.js'
import { CsrfRefusedError, installSessions } from './session.js'
import { renderPage } from './shell.js'
import { siteRoutes } from './site-routes.js'

export interface WebApp {
  app: FastifyInstance
  metrics: WebMetrics
}

async function apiRoutes(app: FastifyInstance, { context }: { context: WebContext }) {
  app.get('/api/mirroradmins', async (request: FastifyRequest<{ Querystring: Record<string, string> }>, reply) => {
    try {
      return await mirrorAdmins(context.sql, request.query.name || undefined)
    } catch (error) {
      if (error instanceof NotFoundError) return reply.code(400).send({ message: error.message })
      throw error
    }
  })
  app.get('/api/repositories', async () => repositoryList(context.sql))
}

function errorPage(context: WebContext, request: FastifyRequest, reply: FastifyReply, error: unknown) {
  if (error instanceof LoginRequired) return loginRedirect(context, request, reply)
  if (error instanceof CsrfRefusedError) return renderPage(context, request, reply, 'Refused', html`<p>This form has expired or was not sent from this site (CSRF check). Go back, reload the page and send it again.</p>`, 403)
  if (error instanceof ForbiddenError) return renderPage(context, request, reply, 'Not allowed', html`<p>You may not see or change this.</p>`, 403)
  if (error instanceof NotFoundError) return renderPage(context, request, reply, 'Not found', html`<p>There is no such page.</p>`, 404)
  const status = (error as { statusCode?: number }).statusCode
  if (status === 429) return renderPage(context, request, reply, 'Too many attempts', html`<p>Too many attempts from your address; wait a minute and try again.</p>`, 429)
  if (status && status >= 400 && status < 500) return renderPage(context, request, reply, 'Bad request', html`<p>The request could not be read.</p>`, status)
  // Never a stack trace to the browser: the log has the details.
  context.logger.error(`serve-web: ${request.method} ${request.url}: ${isMirrorManagerError(error) ? error.message : ((error as Error).stack ?? String(error))}`)
  return renderPage(context, request, reply, 'Something went wrong', html`<p>The server could not answer this request. The error has been logged.</p>`, 500)
}

export async function buildWebApp(context: WebContext): Promise<WebApp> {
  const metrics = new WebMetrics(context.worker ?? 0)
  const collectMetrics = context.collectMetrics?.(metrics) ?? (async () => [metrics.snapshot()])
  const app = Fastify({
    logger: false,
    trustProxy: context.settings.trustProxy,
    bodyLimit: 64 * 1024,
    requestTimeout: 30_000,
    return503OnClosing: true,
  })
  const prefix = context.settings.basePath

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"], 'script-src': ["'self'"], 'style-src': ["'self'"], 'img-src': ["'self'", 'data:'],
        'form-action': ["'self'"], 'frame-ancestors': ["'none'"], 'base-uri': ["'none'"], 'object-src': ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
    hsts: false, // the TLS proxy in front decides
  })
  await app.register(cookie)
  await app.register(formbody)
  await app.register(rateLimit, { global: false })

  app.addHook('onRequest', async (request) => {
    ;(request as unknown as { startedAt: bigint }).startedAt = process.hrtime.bigint()
  })
  app.addHook('onResponse', async (request, reply) => {
    const seconds = Number(process.hrtime.bigint() - (request as unknown as { startedAt: bigint }).startedAt) / 1e9
    metrics.observe(request.routeOptions.url ?? 'unmatched', reply.statusCode, seconds)
    context.logger.info(`${request.ip} ${request.actor?.username ?? '-'} "${request.method} ${request.url.slice(0, 300)}" ${reply.statusCode} ${(seconds * 1000).toFixed(1)}ms`)
  })
  installSessions(app, context)
  app.setErrorHandler((error, request, reply) => errorPage(context, request, reply, error))
  app.setNotFoundHandler((request, reply) => renderPage(context, request, reply, 'Not found', html`<p>There is no such page.</p>`, 404))

  app.get(`${prefix}/healthz`, async (_request, reply) => {
    await context.sql`select 1`
    return reply.type('text/plain').send('ok\n')
  })
  app.get(`${prefix}/metrics`, async (_request, reply) => reply.type('text/plain; version=0.0.4').send(renderWebMetrics(await collectMetrics())))
  app.get(`${prefix}${STYLESHEET_PATH}`, async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLESHEET))
  if (prefix) app.get(prefix, async (_request, reply) => reply.redirect(`${prefix}/`))

  // ROUTE PLUGINS: one line each, all under --base-path.
  await app.register(accountRoutes, { prefix, context })
  await app.register(oidcRoutes, { prefix, context })
  await app.register(siteRoutes, { prefix, context })
  await app.register(hostRoutes, { prefix, context })
  await app.register(apiRoutes, { prefix, context })
  await app.register(publicPagesPlugin, { db: { sql: context.sql }, basePath: prefix })
  return { app, metrics }
}
