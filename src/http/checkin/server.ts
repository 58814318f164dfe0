import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CheckinRefusedError, type CheckinRefusalReason } from '../../lib/errors.js'
import type { Logger } from '../../lib/log.js'
import { refusalReply, type CheckinService } from '../../lib/checkin/checkin-service.js'
import { clientAddressKey } from '../../lib/checkin/rate-limit.js'
import { FaultCode, renderFault, renderStringResponse, XmlRpcFault } from '../../lib/checkin/xmlrpc.js'
import { clientAddress } from '../client-address.js'

/**
 * HTTP in front of CheckinService: `POST /xmlrpc` (legacy XML-RPC `checkin`),
 * `POST /api/checkin` (JSON, optionally gzip), `GET /healthz`. Only translation, limits
 * and timeouts live here; the rules are in src/lib/checkin/.
 */
export interface CheckinServerOptions {
  service: CheckinService
  listen: string
  port: number
  maxBodyBytes: number
  requestTimeoutMs: number
  /** From the end of the headers to the end of the body (checkin.body_timeout). */
  bodyTimeoutMs: number
  /** Connections (requests, under trustProxy) per client address (IPv6: /64) at most. */
  maxConnectionsPerAddress: number
  trustProxy: boolean
  logger: Logger
}

export interface RunningCheckinServer {
  readonly url: string
  readonly port: number
  close(): Promise<void>
}

class BodyTooLarge extends Error {}
class BodyTimeout extends Error {}
/** The client hung up before its body was complete: nobody to answer, nothing to log. */
class ClientGone extends Error {}

const STATUS: Record<CheckinRefusalReason, number> = {
  malformed: 400,
  pickle: 400,
  'too-large': 413,
  auth: 403,
  'unknown-host': 403,
  policy: 403,
  'rate-limited': 429,
  busy: 503,
}

/**
 * The body, bounded in size and in time: a slow sender holds nothing but its own socket.
 * With a Content-Length (every client) it is read into one buffer of that size, which
 * then moves to a decode worker whole: no second copy from joining the chunks.
 */
function readBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > limit) return Promise.reject(new BodyTooLarge())
  return new Promise((resolve, reject) => {
    const sized = Number.isSafeInteger(declared) && declared > 0 ? Buffer.allocUnsafeSlow(declared) : undefined
    const chunks: Buffer[] = []
    let size = 0
    const stop = (error: Error) => {
      clearTimeout(timer)
      chunks.length = 0
      req.removeAllListeners('data')
      req.resume() // discard the rest; the reply closes the connection
      reject(error)
    }
    const timer = setTimeout(() => stop(new BodyTimeout()), timeoutMs)
    req.on('data', (chunk: Buffer) => {
      if (size + chunk.length > (sized?.length ?? limit)) return stop(new BodyTooLarge())
      if (sized) chunk.copy(sized, size)
      else chunks.push(chunk)
      size += chunk.length
    })
    req.on('end', () => {
      clearTimeout(timer)
      resolve(sized ? sized.subarray(0, size) : Buffer.concat(chunks, size))
    })
    req.on('error', () => {
      clearTimeout(timer)
      reject(new ClientGone())
    })
  })
}

function busy(res: ServerResponse): void {
  send(res, 503, 'text/plain', 'too many check-ins in progress, try again shortly\n', { 'retry-after': '10' })
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers })
  res.end(body)
}

async function handleXmlRpc(options: CheckinServerOptions, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
  const xml = (reply: string) => send(res, 200, 'text/xml; charset=utf-8', reply)
  try {
    // The body moves to a decode worker: its UTF-8 check and XML-RPC parse are not done here.
    xml(renderStringResponse((await options.service.checkinXmlRpc(body, { address: clientAddress(req, options.trustProxy) })).reply))
  } catch (error) {
    if (error instanceof XmlRpcFault) return xml(renderFault(error))
    if (error instanceof CheckinRefusedError && error.reason === 'busy') return busy(res) // clients retry a 503
    if (error instanceof CheckinRefusedError) return xml(renderStringResponse(refusalReply(error)))
    // An XML-RPC client understands a fault, not a plain-text 500. Never a stack trace.
    options.logger.error(`check-in failed: ${(error as Error).message}`)
    xml(renderFault(new XmlRpcFault(FaultCode.internalError, 'internal server error')))
  }
}

async function handleJson(options: CheckinServerOptions, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
  const json = (status: number, value: unknown, headers?: Record<string, string>) =>
    send(res, status, 'application/json', `${JSON.stringify(value)}\n`, headers)
  try {
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase()
    if (encoding !== 'gzip' && encoding !== 'identity') {
      return json(415, { ok: false, error: 'unsupported-encoding', reply: `Content-Encoding ${encoding.slice(0, 40)} is not supported (use gzip).` })
    }
    const outcome = await options.service.checkinJson(body, encoding, { address: clientAddress(req, options.trustProxy) })
    json(200, { ok: true, host: outcome.host, categories: outcome.categories, reply: outcome.reply })
  } catch (error) {
    if (!(error instanceof CheckinRefusedError)) {
      options.logger.error(`check-in failed: ${(error as Error).message}`)
      return json(500, { ok: false, error: 'internal', reply: 'internal server error' })
    }
    const retry = error.details?.retryAfterSeconds
    json(STATUS[error.reason], { ok: false, error: error.reason, reply: refusalReply(error) }, retry ? { 'retry-after': String(retry) } : {})
  }
}

/** Open connections (or, behind a trusted proxy, requests) per client address key. */
class AddressCounter {
  private readonly counts = new Map<string, number>()
  constructor(private readonly limit: number) {}
  /** Counts one more; false (and nothing counted) when the address is at its limit. */
  enter(key: string): boolean {
    const count = this.counts.get(key) ?? 0
    if (count >= this.limit) return false
    this.counts.set(key, count + 1)
    return true
  }
  leave(key: string): void {
    const count = (this.counts.get(key) ?? 1) - 1
    if (count <= 0) this.counts.delete(key)
    else this.counts.set(key, count)
  }
}

function route(options: CheckinServerOptions) {
  const requestsPerAddress = new AddressCounter(options.maxConnectionsPerAddress)
  return async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method === 'GET' && path === '/healthz') return send(res, 200, 'text/plain', 'ok\n')
    if (path !== '/xmlrpc' && path !== '/api/checkin') return send(res, 404, 'text/plain', 'not found\n')
    if (req.method !== 'POST') return send(res, 405, 'text/plain', 'use POST\n', { allow: 'POST' })
    // Behind a trusted proxy every connection comes from the proxy: count requests per forwarded address instead.
    const addressKey = options.trustProxy ? clientAddressKey(clientAddress(req, true)) : undefined
    if (addressKey !== undefined && !requestsPerAddress.enter(addressKey)) {
      return send(res, 429, 'text/plain', 'too many connections from your address\n', { 'retry-after': '10', connection: 'close' })
    }
    try {
      // The body first: the service's slots (checkin.max_in_flight) are only ever taken
      // by a request that has fully arrived, so slow senders cannot hold them.
      const body = await readBody(req, options.maxBodyBytes, options.bodyTimeoutMs)
      if (path === '/xmlrpc') await handleXmlRpc(options, req, body, res)
      else await handleJson(options, req, body, res)
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        return send(res, 413, 'text/plain', `request body larger than ${options.maxBodyBytes} bytes\n`, { connection: 'close' })
      }
      if (error instanceof ClientGone) return
      if (error instanceof BodyTimeout) {
        return send(res, 408, 'text/plain', `request body not received within ${options.bodyTimeoutMs / 1000} seconds\n`, { connection: 'close' })
      }
      // Never a stack trace to the client; the log has the message.
      options.logger.error(`check-in failed: ${(error as Error).message}`)
      send(res, 500, 'text/plain', 'internal server error\n')
    } finally {
      if (addressKey !== undefined) requestsPerAddress.leave(addressKey)
    }
  }
}

export async function startCheckinServer(options: CheckinServerOptions): Promise<RunningCheckinServer> {
  const server: Server = createServer(
    {
      requestTimeout: options.requestTimeoutMs, // whole request, body included (slowloris)
      headersTimeout: Math.min(20_000, options.requestTimeoutMs),
      connectionsCheckingInterval: 1_000, // enforce the two timeouts above within a second
      keepAliveTimeout: 5_000,
      maxHeaderSize: 16 * 1024,
    },
    route(options),
  )
  if (!options.trustProxy) {
    // Without a proxy the peer is the client: a few connections per address, refused at
    // accept (before a byte of HTTP), so one sender cannot hold every socket.
    const connections = new AddressCounter(options.maxConnectionsPerAddress)
    server.on('connection', (socket) => {
      const key = clientAddressKey(socket.remoteAddress ?? '')
      if (!connections.enter(key)) return socket.destroy()
      socket.once('close', () => connections.leave(key))
    })
  }
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request'
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`)
    else socket.destroy()
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.listen, () => resolve())
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeIdleConnections()
      }).then(() => options.service.close()),
  }
}
