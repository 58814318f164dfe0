import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import { EnvHttpProxyAgent, request, type Dispatcher } from 'undici'
import { ConfigError, NetworkError, RemoteRefusedError } from '../errors.js'
import type { Logger } from '../log.js'
import type { Transport } from './client-config.js'
import { encodeLegacyWire } from './legacy-wire.js'
import { parseStringResponse, renderMethodCall, XmlRpcFault } from './xmlrpc.js'

/**
 * Sends a check-in to a MirrorManager server, ours or an existing one: XML-RPC
 * `checkin` (what every MirrorManager understands) or our JSON endpoint. Honours
 * http_proxy / https_proxy / no_proxy. Retries connection failures and 5xx replies with
 * exponential backoff, a bounded number of times.
 */
export interface SendOptions {
  server: string
  transport: Transport | 'auto'
  retries: number
  /** Seconds before the first retry; doubled each time. */
  retryDelaySeconds: number
  logger: Logger
  userAgent: string
  /** For tests; default: the proxy settings of the environment. */
  dispatcher?: Dispatcher
}

export interface SendResult {
  readonly url: string
  readonly transport: Transport
  /** The server's reply text. */
  readonly reply: string
  /** The server accepted the check-in. */
  readonly accepted: boolean
}

class RetryableError extends Error {}

const gzipAsync = promisify(gzip)
const SUCCESS = 'checked in successful'

/** auto: the JSON endpoint when the server URL names it, else XML-RPC (works everywhere). */
export function chooseEndpoint(server: string, transport: Transport | 'auto'): { url: string; transport: Transport } {
  let url: URL
  try {
    url = new URL(server)
  } catch {
    throw new ConfigError(`[global] server is not a URL: ${JSON.stringify(server)}`, { key: 'global.server' })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`[global] server must be an http or https URL: ${server}`, { key: 'global.server' })
  }
  const namesJson = url.pathname.replace(/\/+$/, '').endsWith('/api/checkin')
  const chosen: Transport = transport === 'auto' ? (namesJson ? 'json' : 'xmlrpc') : transport
  if (chosen === 'json' && !namesJson) url.pathname = url.pathname.replace(/\/?(xmlrpc\/?)?$/, '/api/checkin')
  return { url: url.toString(), transport: chosen }
}

export async function sendCheckin(json: string, options: SendOptions): Promise<SendResult> {
  const endpoint = chooseEndpoint(options.server, options.transport)
  const dispatcher =
    options.dispatcher ?? new EnvHttpProxyAgent({ connectTimeout: 30_000, headersTimeout: 600_000, bodyTimeout: 600_000 })
  const body =
    endpoint.transport === 'xmlrpc' ? renderMethodCall('checkin', [await encodeLegacyWire(json)]) : await gzipAsync(Buffer.from(json))
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        const reply = await postOnce(endpoint, body, dispatcher, options.userAgent)
        return { ...endpoint, reply, accepted: reply.trimEnd().endsWith(SUCCESS) }
      } catch (error) {
        if (!(error instanceof RetryableError) || attempt >= options.retries) {
          if (error instanceof RetryableError) throw new NetworkError(`cannot check in at ${endpoint.url}: ${error.message}`)
          throw error
        }
        const delay = options.retryDelaySeconds * 2 ** attempt
        options.logger.warn(`check-in attempt ${attempt + 1} failed (${error.message}); retrying in ${delay} s`)
        await sleep(delay * 1000)
      }
    }
  } finally {
    if (!options.dispatcher) await dispatcher.close()
  }
}

async function postOnce(endpoint: { url: string; transport: Transport }, body: string | Buffer, dispatcher: Dispatcher, userAgent: string): Promise<string> {
  const headers: Record<string, string> =
    endpoint.transport === 'xmlrpc'
      ? { 'content-type': 'text/xml', 'user-agent': userAgent }
      : { 'content-type': 'application/json', 'content-encoding': 'gzip', accept: 'application/json', 'user-agent': userAgent }
  let response: Dispatcher.ResponseData
  try {
    response = await request(endpoint.url, { method: 'POST', headers, body, dispatcher })
  } catch (error) {
    throw new RetryableError(describeNetworkError(error))
  }
  const text = await response.body.text().catch((error: Error) => {
    throw new RetryableError(describeNetworkError(error))
  })
  const status = response.statusCode
  if (status >= 500) throw new RetryableError(`HTTP ${status} from the server`)
  return endpoint.transport === 'xmlrpc' ? xmlRpcReply(status, text) : jsonReply(status, text)
}

function xmlRpcReply(status: number, text: string): string {
  if (status !== 200) throw new RemoteRefusedError(`the server answered HTTP ${status}: ${text.trim().slice(0, 200)}`)
  try {
    return parseStringResponse(text)
  } catch (error) {
    if (error instanceof XmlRpcFault) throw new RemoteRefusedError(`the server refused the call: ${error.faultString} (fault ${error.faultCode})`)
    throw error
  }
}

function jsonReply(status: number, text: string): string {
  let value: { reply?: unknown } | undefined
  try {
    value = JSON.parse(text) as { reply?: unknown }
  } catch {
    value = undefined
  }
  if (typeof value?.reply === 'string') return value.reply
  throw new RemoteRefusedError(`the server answered HTTP ${status}: ${text.trim().slice(0, 200)}`)
}

function describeNetworkError(error: unknown): string {
  const err = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException }
  const code = err.code ?? err.cause?.code
  return code ? `${code}: ${err.message}` : err.message
}
