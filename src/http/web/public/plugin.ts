/**
 * The public pages at MirrorManager2's paths: the mirror list, statistics, propagation,
 * the mirror map and the rsync filter. Every route parses its input, calls one library
 * function and renders; pages are cached briefly (page-cache.ts) and answer conditional
 * requests. Registered by the web app as
 *
 *     app.register(publicPagesPlugin, { db, basePath })
 *
 * (the stylesheet at STYLESHEET_PATH is the app's).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Database } from '../../../lib/db/connect.js'
import { NotFoundError } from '../../../lib/errors.js'
import { mapLocationsText } from '../../../lib/public/map-locations.js'
import { publicMirrorList, type MirrorListQuery } from '../../../lib/public/mirror-list.js'
import { productMatrix } from '../../../lib/public/product-matrix.js'
import { propagationRepositories, propagationSeries } from '../../../lib/public/propagation.js'
import { rsyncFilter } from '../../../lib/public/rsync-filter.js'
import { STAT_CATEGORIES, type StatCategory } from '../../../lib/stats/access-counter.js'
import { latestStatisticsDate, statisticsDay, statisticsOverview } from '../../../lib/stats/queries.js'
import { html } from '../html.js'
import { publicPage, type RenderContext } from './common.js'
import { PageCache, type CachedPage, type RenderedPage } from './page-cache.js'
import { mirrorMapSvg, renderMap } from './render-map.js'
import { renderIndex, renderMirrorList } from './render-mirrors.js'
import { renderPropagation, renderPropagationIndex } from './render-propagation.js'
import { renderStatisticsDay, renderStatisticsOverview } from './render-statistics.js'

export interface PublicPagesOptions {
  /** Only its `sql` is used: serve-web passes its own. */
  db: Pick<Database, 'sql'>
  /** Prefix of every path, '' or e.g. '/mirrormanager'. */
  basePath?: string
  /** How long a rendered page is reused (default 60 s). */
  cacheSeconds?: number
}

const HTML = 'text/html; charset=utf-8'
const JSON_TYPE = 'application/json; charset=utf-8'
const TEXT = 'text/plain; charset=utf-8'
const SVG = 'image/svg+xml; charset=utf-8'

const DATE = /^\d{4}-\d{2}-\d{2}$/
export function isDate(text: string | undefined): text is string {
  if (!text || !DATE.test(text)) return false
  const time = Date.parse(`${text}T00:00:00Z`)
  return Number.isFinite(time) && new Date(time).toISOString().slice(0, 10) === text
}

function firstString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function wantsJson(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? ''
  return accept.includes('application/json') && !accept.includes('text/html')
}

const html5 = (markup: { toString(): string }): RenderedPage => ({ body: markup.toString(), type: HTML })

function send(request: FastifyRequest, reply: FastifyReply, page: CachedPage, maxAge: number): FastifyReply {
  reply.header('etag', page.etag).header('last-modified', page.lastModified.toUTCString()).header('cache-control', `public, max-age=${maxAge}`)
  reply.header('vary', 'Accept')
  if (page.status === 200) {
    const inm = request.headers['if-none-match']
    const ims = request.headers['if-modified-since']
    const notModified = inm !== undefined ? inm.split(',').some((tag) => tag.trim() === page.etag) : ims !== undefined && Date.parse(ims) >= page.lastModified.getTime()
    if (notModified) return reply.code(304).send()
  }
  return reply.code(page.status).type(page.type).send(page.body)
}

export async function publicPagesPlugin(app: FastifyInstance, options: PublicPagesOptions): Promise<void> {
  const { sql } = options.db
  const base = options.basePath ?? ''
  const context: RenderContext = { basePath: base, interactive: true }
  const maxAge = options.cacheSeconds ?? 60
  const cache = new PageCache(maxAge * 1000)
  const cached = (request: FastifyRequest, reply: FastifyReply, key: string, render: () => Promise<RenderedPage>) =>
    cache.get(key, render).then((page) => send(request, reply, page, maxAge))
  const notFound = (message: string): RenderedPage => ({ ...html5(publicPage(context, 'Not found', html`<p>${message}</p>`)), status: 404 })

  app.get(`${base}/`, (request, reply) => cached(request, reply, 'index', async () => html5(renderIndex(context, await productMatrix(sql)))))

  const mirrors = async (request: FastifyRequest<{ Params: { product?: string; version?: string; arch?: string }; Querystring: Record<string, unknown> }>, reply: FastifyReply, json: boolean) => {
    const segments = [request.params.product, request.params.version, request.params.arch].filter((s): s is string => s !== undefined)
    const last = segments.at(-1)
    if (last?.endsWith('.json')) {
      segments[segments.length - 1] = last.slice(0, -5)
      json = true
    }
    json ||= wantsJson(request)
    const sort = firstString(request.query.sort) === 'bandwidth' ? 'bandwidth' : 'country'
    const query: MirrorListQuery = { product: segments[0], version: segments[1], arch: segments[2], country: firstString(request.query.country)?.slice(0, 2), sort }
    const path = `${base}/${['mirrors', ...segments].map(encodeURIComponent).join('/')}`
    const key = JSON.stringify([json, query])
    return cached(request, reply, key, async () => {
      const list = await publicMirrorList(sql, query)
      if (json) return { body: JSON.stringify(list), type: JSON_TYPE }
      return html5(renderMirrorList(context, list, path, `${path}.json`))
    })
  }
  app.get(`${base}/mirrors`, (request, reply) => mirrors(request as never, reply, false))
  app.get(`${base}/mirrors.json`, (request, reply) => mirrors(request as never, reply, true))
  app.get(`${base}/mirrors/:product`, (request, reply) => mirrors(request as never, reply, false))
  app.get(`${base}/mirrors/:product/:version`, (request, reply) => mirrors(request as never, reply, false))
  app.get(`${base}/mirrors/:product/:version/:arch`, (request, reply) => mirrors(request as never, reply, false))

  app.get(`${base}/statistics`, (request: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply) => {
    const days = firstString(request.query.days) === '90' ? 90 : 30
    return cached(request, reply, `statistics ${days}`, async () => html5(renderStatisticsOverview(context, await statisticsOverview(sql, days), days)))
  })
  const day = async (request: FastifyRequest<{ Params: { date: string; category?: string } }>, reply: FastifyReply) => {
    // as MirrorManager2: a bad category shows countries, a bad date the latest day
    const category = STAT_CATEGORIES.includes(request.params.category as StatCategory) ? (request.params.category as StatCategory) : 'countries'
    const requested = isDate(request.params.date) ? request.params.date : undefined
    return cached(request, reply, `day ${requested} ${category}`, async () => {
      const date = requested ?? (await latestStatisticsDate(sql, new Date().toISOString().slice(0, 10)))
      return html5(renderStatisticsDay(context, await statisticsDay(sql, date, category)))
    })
  }
  app.get(`${base}/statistics/:date`, day)
  app.get(`${base}/statistics/:date/:category`, day)

  app.get(`${base}/propgation`, (_request, reply) => reply.redirect(`${base}/propagation`, 301))
  app.get(`${base}/propagation`, (request, reply) =>
    cached(request, reply, 'propagation', async () => html5(renderPropagationIndex(context, await propagationRepositories(sql)))),
  )
  app.get(`${base}/propagation/:id`, (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const id = /^\d{1,9}$/.test(request.params.id) ? Number(request.params.id) : undefined
    return cached(request, reply, `propagation ${id}`, async () => {
      if (id === undefined) return notFound('Repository not found.')
      try {
        return html5(renderPropagation(context, await propagationSeries(sql, id)))
      } catch (error) {
        if (error instanceof NotFoundError) return notFound('Repository not found, or it has no propagation measurements.')
        throw error
      }
    })
  })

  app.get(`${base}/maps`, (request, reply) => cached(request, reply, 'maps', async () => html5(renderMap(context, (await publicMirrorList(sql)).mirrors))))
  app.get(`${base}/maps/interactive`, (_request, reply) => reply.redirect(`${base}/maps`, 301))
  app.get(`${base}/maps/mirrors.svg`, (request, reply) =>
    cached(request, reply, 'maps svg', async () => ({ body: `<?xml version="1.0" encoding="utf-8"?>\n${mirrorMapSvg((await publicMirrorList(sql)).mirrors).toString()}`, type: SVG })),
  )
  app.get(`${base}/map/mirrors_location.txt`, (request, reply) =>
    cached(request, reply, 'locations', async () => ({ body: mapLocationsText((await publicMirrorList(sql)).mirrors), type: TEXT })),
  )

  // never cached: `since` differs with every mirror's run; raw text, never HTML-escaped
  const filter = async (request: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply: FastifyReply) => {
    const q = request.query
    const body = await rsyncFilter(sql, { categories: firstString(q.categories), since: firstString(q.since), stripprefix: firstString(q.stripprefix) })
    return reply.type(TEXT).header('cache-control', 'no-store').send(body)
  }
  app.get(`${base}/rsyncFilter`, filter)
  app.get(`${base}/rsyncFilter/`, filter)
}
