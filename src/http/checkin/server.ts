import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'
import { CheckinRefusedError, type CheckinRefusalReason } from '../../lib/errors.js'
import type { Logger } from '../../lib/log.js'
import { refusalReply, type CheckinService } from '../../lib/checkin/checkin-service.js'
import { FaultCode, parseMethodCall, renderFault, renderStringResponse, XmlRpcFault } from '../../lib/checkin/xmlrpc.js'

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
  maxPayloadBytes: number
  requestTimeoutMs: number
  maxInFlight: number
  logger: Logger
}

export interface RunningCheckinServer {
  readonly url: string
  readonly port: number
  close(): Promise<void>
}

const gunzipAsync = promisify(gunzip)

class BodyTooLarge extends Error {}

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

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > limit) return Promise.reject(new BodyTooLarge())
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        chunks.length = 0
        req.removeAllListeners('data')
        req.resume() // discard the rest; the request timeout bounds how long
        reject(new BodyTooLarge())
      } else chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks, size)))
    req.on('error', reject)
  })
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers })
  res.end(body)
}

async function handleXmlRpc(options: CheckinServerOptions, body: Buffer, res: ServerResponse): Promise<void> {
  const xml = (reply: string) => send(res, 200, 'text/xml; charset=utf-8', reply)
  let wire: string
  try {
    const call = parseMethodCall(body.toString('utf8'))
    if (call.methodName !== 'checkin') throw new XmlRpcFault(FaultCode.methodNotFound, `method "${call.methodName}" is not supported`)
    const [param] = call.params
    if (call.params.length !== 1 || typeof param !== 'string') {
      throw new XmlRpcFault(FaultCode.invalidParams, 'checkin takes exactly one string parameter')
    }
    wire = param
  } catch (error) {
    if (error instanceof XmlRpcFault) return xml(renderFault(error))
    throw error
  }
  try {
    xml(renderStringResponse((await options.service.checkinLegacy(wire)).reply))
  } catch (error) {
    if (!(error instanceof CheckinRefusedError)) throw error
    xml(renderStringResponse(refusalReply(error)))
  }
}

async function handleJson(options: CheckinServerOptions, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
  const json = (status: number, value: unknown, headers?: Record<string, string>) =>
    send(res, status, 'application/json', `${JSON.stringify(value)}\n`, headers)
  try {
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase()
    if (encoding !== 'gzip' && encoding !== 'identity') {
      return json(415, { ok: false, error: 'unsupported-encoding', reply: `Content-Encoding ${encoding} is not supported (use gzip).` })
    }
    const plain = encoding === 'gzip' ? await gunzipCapped(body, options.maxPayloadBytes) : body
    if (plain.length > options.maxPayloadBytes) throw new CheckinRefusedError('The check-in data is too large.', { reason: 'too-large' })
    let config: unknown
    try {
      config = JSON.parse(plain.toString('utf8'))
    } catch {
      throw new CheckinRefusedError('The check-in data is not valid JSON.', { reason: 'malformed' })
    }
    const outcome = await options.service.checkin(config)
    json(200, { ok: true, host: outcome.host, categories: outcome.categories, reply: outcome.reply })
  } catch (error) {
    if (!(error instanceof CheckinRefusedError)) throw error
    const retry = error.details?.retryAfterSeconds
    json(STATUS[error.reason], { ok: false, error: error.reason, reply: refusalReply(error) }, retry ? { 'retry-after': String(retry) } : {})
  }
}

async function gunzipCapped(body: Buffer, cap: number): Promise<Buffer> {
  try {
    return await gunzipAsync(body, { maxOutputLength: cap })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new CheckinRefusedError(`The check-in data decompresses to more than ${cap} bytes.`, { reason: 'too-large' })
    }
    throw new CheckinRefusedError('The check-in data is not valid gzip.', { reason: 'malformed' })
  }
}

function route(options: CheckinServerOptions) {
  let inFlight = 0
  return async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method === 'GET' && path === '/healthz') return send(res, 200, 'text/plain', 'ok\n')
    if (path !== '/xmlrpc' && path !== '/api/checkin') return send(res, 404, 'text/plain', 'not found\n')
    if (req.method !== 'POST') return send(res, 405, 'text/plain', 'use POST\n', { allow: 'POST' })
    if (inFlight >= options.maxInFlight) {
      return send(res, 503, 'text/plain', 'too many check-ins in progress, try again shortly\n', { 'retry-after': '10', connection: 'close' })
    }
    inFlight++
    try {
      const body = await readBody(req, options.maxBodyBytes)
      if (path === '/xmlrpc') await handleXmlRpc(options, body, res)
      else await handleJson(options, req, body, res)
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        return send(res, 413, 'text/plain', `request body larger than ${options.maxBodyBytes} bytes\n`, { connection: 'close' })
      }
      // Never a stack trace to the client; the log has the message.
      options.logger.error(`check-in failed: ${(error as Error).message}`)
      send(res, 500, 'text/plain', 'internal server error\n')
    } finally {
      inFlight--
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
      }),
  }
}
