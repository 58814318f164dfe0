/**
 * HTTP <-> answerRequest. Everything about mirrors is decided by the selection core
 * (src/lib/mirrorlist/); this file only picks the client address, guards against
 * hostile requests, and writes the Answer back, counting it and logging it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { answerRequest, type Answer, type LookupContext } from '../../lib/mirrorlist/answer.js'
import { bodyChunks, type Body } from '../../lib/mirrorlist/body.js'
import type { AccessLog } from './access-log.js'
import { healthReport } from './healthz.js'
import type { RequestMetrics } from './metrics.js'
import type { SnapshotHolder } from './snapshot-holder.js'
import type { SnapshotFetchStatus } from './snapshot-poller.js'
import type { Logger } from '../../lib/log.js'
import { clientAddress } from '../client-address.js'
import { ResponseBuffers } from './response-buffers.js'

/** Longer request targets get 414; real dnf URLs are well under 300 bytes. */
export const MAX_URL_LENGTH = 4096

export interface MirrorlistHttpOptions {
  holder: SnapshotHolder
  /** LookupContext without the per-request parts (now, random) */
  lookup: Omit<LookupContext, 'now' | 'random'>
  trustProxy: boolean
  metrics: RequestMetrics
  /** Prometheus text of all workers (over IPC when clustered) */
  collectMetrics(): Promise<string>
  lastReloadError(): string | undefined
  /** --snapshot-url: how the primary's fetches went */
  fetchStatus?(): SnapshotFetchStatus | undefined
  /** seconds; /healthz answers 503 "stale" when the snapshot is older (0 or undefined: no limit) */
  maxSnapshotAge?: number
  accessLog?: AccessLog
  logger: Logger
}

/** The response header naming the served snapshot's database time (epoch seconds); on every answer made from a snapshot. */
export const SNAPSHOT_HEADER = 'X-MirrorManager-Snapshot'

function send(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  contentType: string,
  content: Body,
  extra?: Readonly<Record<string, string | string[]>>,
  snapshot?: string,
): void {
  // Encode once: the length and the bytes written come from the same buffers.
  const chunks = bodyChunks(content)
  let length = 0
  for (const chunk of chunks) length += chunk.length
  const headers: Record<string, string | number | string[]> = { 'Content-Type': contentType, 'Content-Length': length }
  if (snapshot !== undefined) headers[SNAPSHOT_HEADER] = snapshot
  if (extra) Object.assign(headers, extra)
  response.writeHead(status, headers)
  // HEAD: the same headers, no body. Chunks written in one tick leave in one writev.
  if (request.method === 'HEAD') return void response.end()
  for (let i = 0; i < chunks.length - 1; i++) response.write(chunks[i])
  response.end(chunks[chunks.length - 1])
}

function answerOf(options: MirrorlistHttpOptions, buffers: ResponseBuffers, path: string, query: string, clientIp: string, accept: string | undefined): Answer {
  const current = options.holder.current
  if (!current) {
    return { status: 503, contentType: 'text/plain', body: 'Service unavailable: no mirror snapshot is loaded yet.\n', endpoint: 'other', tier: 'unavailable' }
  }
  try {
    // every field named, in one order: one object shape for every request (no spread)
    const lookup = options.lookup
    const context: LookupContext = {
      countryOf: lookup.countryOf,
      asnOf: lookup.asnOf,
      continentOf: lookup.continentOf,
      minimum: lookup.minimum,
      explain: lookup.explain,
      familyFilter: lookup.familyFilter,
      now: new Date(),
      random: Math.random,
      allocate: buffers.allocate,
    }
    return answerRequest(current.index, { path, query, clientIp, accept }, context)
  } catch (error) {
    // A bug in selection must cost one request, never the worker.
    options.logger.error(`request ${path}?${query.slice(0, 200)}: ${(error as Error).stack ?? error}`)
    return { status: 500, contentType: 'text/plain', body: 'Internal server error.\n', endpoint: 'other', tier: 'error' }
  }
}

async function handleOperational(options: MirrorlistHttpOptions, request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
  if (path === '/healthz') {
    const { httpStatus, report } = healthReport(options.holder, options.metrics.state.worker, Date.now(), options.lastReloadError(), options.maxSnapshotAge, options.fetchStatus?.())
    send(request, response, httpStatus, 'application/json', JSON.stringify(report) + '\n', { 'Cache-Control': 'no-store' }, snapshotHeader(options))
    return
  }
  let text: string
  try {
    text = await options.collectMetrics()
  } catch (error) {
    send(request, response, 500, 'text/plain', `metrics unavailable: ${(error as Error).message}\n`)
    return
  }
  send(request, response, 200, 'text/plain; version=0.0.4; charset=utf-8', text, { 'Cache-Control': 'no-store' }, snapshotHeader(options))
}

/**
 * The X-MirrorManager-Snapshot value of the current snapshot. Speed: the decimal text is
 * made once per loaded index, not per request.
 */
const snapshotHeaders = new WeakMap<object, string>()

function snapshotHeader(options: MirrorlistHttpOptions): string | undefined {
  const index = options.holder.current?.index
  if (!index) return undefined
  let text = snapshotHeaders.get(index)
  if (text === undefined) snapshotHeaders.set(index, (text = String(index.createdAt)))
  return text
}

export function mirrorlistRequestListener(options: MirrorlistHttpOptions): (request: IncomingMessage, response: ServerResponse) => void {
  const buffers = new ResponseBuffers()
  return (request, response) => {
    const started = performance.now()
    const observe = (endpoint: string, status: number, tier?: string) => options.metrics.observe(endpoint, status, tier, (performance.now() - started) / 1000)
    const url = request.url ?? '/'
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(request, response, 405, 'text/plain', 'Method not allowed: only GET and HEAD.\n', { Allow: 'GET, HEAD' })
      return observe('other', 405, 'rejected')
    }
    if (url.length > MAX_URL_LENGTH) {
      send(request, response, 414, 'text/plain', `Request-URI too long: at most ${MAX_URL_LENGTH} bytes.\n`)
      return observe('other', 414, 'rejected')
    }
    const question = url.indexOf('?')
    const path = question < 0 ? url : url.slice(0, question)
    if (path === '/healthz' || path === '/metrics') {
      void handleOperational(options, request, response, path).then(() => observe(path.slice(1), response.statusCode))
      return
    }
    const clientIp = clientAddress(request, options.trustProxy)
    const answer = answerOf(options, buffers, path, question < 0 ? '' : url.slice(question + 1), clientIp, request.headers.accept)
    let extra = answer.headers
    if (answer.location) extra = extra ? { ...extra, Location: answer.location } : { Location: answer.location }
    send(request, response, answer.status, answer.contentType, answer.body, extra, snapshotHeader(options))
    // the body's buffer (if lent) is reused once this response has written it
    buffers.sent(response)
    if (answer.access && options.accessLog) options.accessLog.record(answer.access, Date.now())
    observe(answer.endpoint, answer.status, answer.tier)
  }
}

/** node:http server with limits against slow and oversized clients. */
export function createMirrorlistServer(options: MirrorlistHttpOptions): Server {
  const server = createServer({ maxHeaderSize: 16 * 1024, requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 }, mirrorlistRequestListener(options))
  server.maxHeadersCount = 100
  server.maxRequestsPerSocket = 10_000
  return server
}
