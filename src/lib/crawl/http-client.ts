/**
 * The crawler's HTTP side, polite by construction: one undici Pool per origin with a
 * small, fixed number of keep-alive connections (so a mirror never sees more than that
 * from us), timeouts on connect, headers and every body chunk (a byte-a-second mirror
 * cannot hold a crawl), capped bodies, and redirects followed by hand: only to the same
 * host name, at most `maxRedirects` times, loops detected. Nothing a mirror answers is
 * trusted beyond that.
 */
import { createHash } from 'node:crypto'
import { Pool } from 'undici'
import { AbortFanOut } from './abort-fan-out.js'
import { ProtocolUnavailable, reasonOf } from './protocol-unavailable.js'
import { countRequest, type RequestCounters } from './types.js'

export interface HttpClientOptions {
  connections: number
  requestTimeoutMs: number
  maxRedirects: number
  userAgent: string
}

export type HeadOutcome =
  | { kind: 'present'; size: number | null }
  | { kind: 'missing'; status: number }
  | { kind: 'forbidden' }
  /** Answered, but not in a way that confirms the file (5xx, bad redirect). */
  | { kind: 'unconfirmed'; reason: string }

export type FetchOutcome =
  | { kind: 'ok'; body: Buffer; sha256: string }
  | { kind: 'missing'; status: number }
  | { kind: 'unconfirmed'; reason: string }

/** A body bigger than the caller allows: the listing is abandoned. */
export class BodyTooLarge extends ProtocolUnavailable {}

interface Answer {
  statusCode: number
  headers: Record<string, string | string[] | undefined>
  body: { dump(): Promise<void>; destroy(error?: Error): void; on(event: 'error', listener: () => void): unknown } & AsyncIterable<Buffer>
}

export class HttpClient {
  private readonly pools = new Map<string, Pool>()

  constructor(private readonly options: HttpClientOptions) {}

  /** Requests this client runs at once per origin; connectors size their worker pools by it. */
  get connections(): number {
    return this.options.connections
  }

  private pool(origin: string): Pool {
    let pool = this.pools.get(origin)
    if (!pool) {
      pool = new Pool(origin, {
        connections: this.options.connections,
        pipelining: 1,
        keepAliveTimeout: 10_000,
        headersTimeout: this.options.requestTimeoutMs,
        bodyTimeout: this.options.requestTimeoutMs,
        connect: { timeout: this.options.requestTimeoutMs },
      })
      this.pools.set(origin, pool)
    }
    return pool
  }

  /** One request, redirects followed by the rules above. Connection failures throw ProtocolUnavailable. */
  private async request(
    method: 'HEAD' | 'GET',
    url: string,
    signal: AbortSignal,
    counters: RequestCounters,
    countAs: string,
  ): Promise<Answer | { unconfirmed: string }> {
    const seen = new Set<string>()
    let current = new URL(url)
    for (let hop = 0; ; hop++) {
      seen.add(current.href)
      countRequest(counters, countAs)
      let answer: Answer
      try {
        answer = (await this.pool(current.origin).request({
          method,
          path: current.pathname + current.search,
          headers: { 'user-agent': this.options.userAgent, accept: '*/*' },
          signal,
        })) as unknown as Answer
      } catch (error) {
        if (signal.aborted) throw signal.reason
        throw new ProtocolUnavailable(`${current.origin}: ${reasonOf(error)}`)
      }
      if (answer.statusCode < 300 || answer.statusCode >= 400) return answer
      await answer.body.dump().catch(() => {})
      const location = header(answer.headers, 'location')
      if (!location) return { unconfirmed: `${answer.statusCode} without Location` }
      let next: URL
      try {
        next = new URL(location, current)
      } catch {
        return { unconfirmed: `redirect to an invalid URL` }
      }
      if (next.hostname !== current.hostname) return { unconfirmed: `redirect to another host (${next.hostname})` }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') return { unconfirmed: `redirect to ${next.protocol}` }
      if (seen.has(next.href)) return { unconfirmed: 'redirect loop' }
      if (hop >= this.options.maxRedirects) return { unconfirmed: `more than ${this.options.maxRedirects} redirects` }
      current = next
    }
  }

  /** Each request aborts through its own child signal: the caller's shared signal keeps one listener. */
  private readonly fanOut = new AbortFanOut()

  async head(url: string, signal: AbortSignal, counters: RequestCounters, countAs: string): Promise<HeadOutcome> {
    const child = this.fanOut.child(signal)
    try {
      return await this.headOnce(url, child.signal, counters, countAs)
    } finally {
      child.release()
    }
  }

  /** GET with a size cap; each body chunk goes to `onChunk` as it arrives (nothing is buffered here). */
  async stream(
    url: string,
    signal: AbortSignal,
    counters: RequestCounters,
    countAs: string,
    maxBytes: number,
    onChunk: (chunk: Buffer) => void,
  ): Promise<{ kind: 'ok' } | Exclude<FetchOutcome, { kind: 'ok' }>> {
    const child = this.fanOut.child(signal)
    try {
      return await this.streamOnce(url, child.signal, counters, countAs, maxBytes, onChunk)
    } finally {
      child.release()
    }
  }

  private async headOnce(url: string, signal: AbortSignal, counters: RequestCounters, countAs: string): Promise<HeadOutcome> {
    const answer = await this.request('HEAD', url, signal, counters, countAs)
    if ('unconfirmed' in answer) return { kind: 'unconfirmed', reason: answer.unconfirmed }
    await answer.body.dump().catch(() => {})
    if (answer.statusCode === 404 || answer.statusCode === 410) return { kind: 'missing', status: answer.statusCode }
    if (answer.statusCode === 403) return { kind: 'forbidden' }
    if (answer.statusCode >= 200 && answer.statusCode < 300) {
      const length = header(answer.headers, 'content-length')
      const size = length !== undefined && /^\d+$/.test(length) ? Number(length) : null
      return { kind: 'present', size }
    }
    return { kind: 'unconfirmed', reason: `HTTP ${answer.statusCode}` }
  }

  private async streamOnce(
    url: string,
    signal: AbortSignal,
    counters: RequestCounters,
    countAs: string,
    maxBytes: number,
    onChunk: (chunk: Buffer) => void,
  ): Promise<{ kind: 'ok' } | Exclude<FetchOutcome, { kind: 'ok' }>> {
    const answer = await this.request('GET', url, signal, counters, countAs)
    if ('unconfirmed' in answer) return { kind: 'unconfirmed', reason: answer.unconfirmed }
    if (answer.statusCode !== 200) {
      await answer.body.dump().catch(() => {})
      if (answer.statusCode === 404 || answer.statusCode === 410 || answer.statusCode === 403) return { kind: 'missing', status: answer.statusCode }
      return { kind: 'unconfirmed', reason: `HTTP ${answer.statusCode}` }
    }
    const declared = Number(header(answer.headers, 'content-length') ?? 0)
    if (declared > maxBytes) {
      discard(answer.body)
      throw new BodyTooLarge(`${url}: ${declared} bytes, more than the ${maxBytes} allowed`)
    }
    let total = 0
    try {
      for await (const chunk of answer.body) {
        total += chunk.length
        if (total > maxBytes) throw new BodyTooLarge(`${url}: more than the ${maxBytes} bytes allowed`)
        onChunk(chunk)
      }
    } catch (error) {
      discard(answer.body)
      if (error instanceof ProtocolUnavailable) throw error
      if (signal.aborted) throw signal.reason
      throw new ProtocolUnavailable(`${url}: ${reasonOf(error)}`)
    } finally {
      counters.bytes += total
    }
    return { kind: 'ok' }
  }

  /** GET with a size cap, hashed (sha256) as it arrives. */
  async fetch(url: string, signal: AbortSignal, counters: RequestCounters, countAs: string, maxBytes: number): Promise<FetchOutcome> {
    const hash = createHash('sha256')
    const chunks: Buffer[] = []
    const outcome = await this.stream(url, signal, counters, countAs, maxBytes, (chunk) => {
      hash.update(chunk)
      chunks.push(chunk)
    })
    if (outcome.kind !== 'ok') return outcome
    return { kind: 'ok', body: Buffer.concat(chunks), sha256: hash.digest('hex') }
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()]
    this.pools.clear()
    // destroy, not close: a hostile mirror must not keep a half-read response open.
    await Promise.all(pools.map((pool) => pool.destroy().catch(() => {})))
  }
}

/**
 * Drops a response body unread. undici reports a body destroyed before its end as an
 * 'error' event; nobody else listens any more, so without this listener an abandoned
 * (too big, hostile) listing would crash the process.
 */
function discard(body: Answer['body']): void {
  body.on('error', () => {})
  body.destroy()
}

function header(headers: Answer['headers'], name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}
