import { CheckinRefusedError } from '../errors.js'
import type { ResolvedConfig } from '../config/resolve.js'
import type { Database } from '../db/connect.js'
import type { Sql } from '../db/sql.js'
import type { Logger } from '../log.js'
import { applyCheckin, categoryReplyLine, type CategoryCheckinResult } from './apply-checkin.js'
import { authenticateHost, NOT_PRIVATE, type AuthenticatedHost } from './authenticate.js'
import type { DecodeJob, PayloadEncoding } from './decode.js'
import { DecodePool } from './decode-pool.js'
import { validateCheckinIdentity, type CheckinIdentity, type CheckinPayload } from './payload.js'
import { clientAddressKey, RateLimiter } from './rate-limit.js'

export interface CheckinServiceOptions {
  /** Only private hosts (or hosts of private sites) may check in (checkin.private_only). */
  privateOnly: boolean
  /** Decompressed payload bytes at most (checkin.max_payload_bytes). */
  maxPayloadBytes: number
  /** Successful check-ins per site (checkin.rate_limit_*). */
  rateLimitBurst: number
  rateLimitPerHour: number
  /** Failed check-ins per client address (checkin.failure_limit_*). */
  failureLimitBurst: number
  failureLimitPerHour: number
  /** Authenticated check-ins decoded and applied at once (checkin.max_in_flight). */
  maxInFlight: number
  /** Unauthenticated requests being identified at once (default: 8 × maxInFlight). */
  maxIdentifying?: number
  /** Decode worker threads. */
  decodeWorkers?: number
  logger: Logger
}

export interface CheckinOutcome {
  readonly host: string
  readonly categories: readonly CategoryCheckinResult[]
  /** The reply text: one line per category, then "checked in successful". */
  readonly reply: string
}

/** A check-in body as the transport received it. */
export interface CheckinRequest {
  /** The client address (socket peer, or the proxy's X-Forwarded-For under trust_proxy). */
  readonly address: string
}

export const SUCCESS = 'checked in successful'
export const FAILURE = 'error checking in'

/**
 * The check-in rules (README, "Private mirrors: report-mirror and the check-in server"),
 * independent of the transport, in the order that keeps an unauthenticated request cheap:
 *
 * 1. the client address has failures left (else refused before any work);
 * 2. the identity sections are read from the stream, in a worker (decode-pool.ts);
 * 3. site, password and host are verified — a failure so far counts against the address;
 * 4. the site has check-ins left (counted only now, so no one else can use them up);
 * 5. only then is the whole payload decompressed, parsed and applied.
 */
export class CheckinService {
  private readonly perSite: RateLimiter
  private readonly failures: RateLimiter
  private readonly pool: DecodePool
  private identifying = 0
  private inFlight = 0

  constructor(
    private readonly sql: Sql,
    private readonly options: CheckinServiceOptions,
  ) {
    this.perSite = new RateLimiter({ burst: options.rateLimitBurst, perHour: options.rateLimitPerHour })
    this.failures = new RateLimiter({ burst: options.failureLimitBurst, perHour: options.failureLimitPerHour })
    // One full decode per worker must fit its heap: JSON.parse needs ~16 bytes per input byte at worst.
    const heapMb = Math.max(256, Math.ceil((options.maxPayloadBytes * 16) / 1024 / 1024))
    this.pool = new DecodePool({ size: options.decodeWorkers ?? 2, heapMb })
  }

  /**
   * A legacy XML-RPC check-in, the request body as received: it is read (UTF-8, XML-RPC)
   * in a decode worker, and moved there, not copied — the caller must not use `body`
   * again. Malformed calls are thrown as XmlRpcFault.
   */
  checkinXmlRpc(body: Uint8Array, request: CheckinRequest): Promise<CheckinOutcome> {
    return this.run(request, body, 'xmlrpc')
  }

  /** A legacy check-in's parameter: the urlsafe-base64 bzip2 JSON text. */
  checkinLegacy(wire: string, request: CheckinRequest): Promise<CheckinOutcome> {
    return this.run(request, wire, 'legacy-wire')
  }

  /** A JSON check-in (POST /api/checkin): the body, gzip or not (moved to a worker, as above). */
  checkinJson(body: Uint8Array, encoding: 'gzip' | 'identity', request: CheckinRequest): Promise<CheckinOutcome> {
    return this.run(request, body, encoding)
  }

  close(): Promise<void> {
    return this.pool.close()
  }

  private async run(request: CheckinRequest, data: Uint8Array | string, encoding: PayloadEncoding): Promise<CheckinOutcome> {
    const address = clientAddressKey(request.address)
    const limit = this.failures.peek(address)
    if (!limit.allowed) {
      throw this.logged(address, undefined, rateLimited(`Too many failed check-ins from your address; try again in ${limit.retryAfterSeconds} seconds.`, limit.retryAfterSeconds))
    }
    // Identifying is cheap for every client that sends its identity first (all current
    // ones), so many may run side by side: slow ones do not hold up the quick ones.
    if (this.identifying >= (this.options.maxIdentifying ?? this.options.maxInFlight * 8)) throw busy()
    let identity: CheckinIdentity | undefined
    let host: AuthenticatedHost
    let job: DecodeJob = { data, encoding, maxPayloadBytes: this.options.maxPayloadBytes }
    this.identifying++
    try {
      const scanned = await this.pool.scan(job)
      job = scanned.job // the compressed bytes only: neither the body nor its text stays here
      identity = validateCheckinIdentity(scanned.identity.skeleton)
      host = await storable(() => authenticateHost(this.sql, identity!))
    } catch (error) {
      if (error instanceof CheckinRefusedError) this.failures.take(address)
      throw this.logged(address, identity, error)
    } finally {
      this.identifying--
    }
    // The slots of max_in_flight are for authenticated check-ins only.
    if (this.inFlight >= this.options.maxInFlight) throw busy()
    this.inFlight++
    try {
      const decision = this.perSite.take(identity.siteName)
      if (!decision.allowed) {
        throw rateLimited(`Too many check-ins for this site; try again in ${decision.retryAfterSeconds} seconds.`, decision.retryAfterSeconds)
      }
      if (this.options.privateOnly && !host.isPrivate) throw new CheckinRefusedError(NOT_PRIVATE, { reason: 'policy' })
      const payload = await this.pool.decode(job)
      if (!sameIdentity(identity, payload)) {
        throw new CheckinRefusedError('The check-in data names more than one site or host.', { reason: 'malformed' })
      }
      return await storable(() => this.apply(host, payload))
    } catch (error) {
      throw this.logged(address, identity, error)
    } finally {
      this.inFlight--
    }
  }

  /** Refusals are logged for the admin, with the names the client sent (never the password). */
  private logged(address: string, identity: CheckinIdentity | undefined, error: unknown): unknown {
    if (error instanceof CheckinRefusedError) {
      const who = identity ? `, site ${JSON.stringify(identity.siteName)}, host ${JSON.stringify(identity.hostName)}` : ''
      this.options.logger.info(`check-in refused (from ${address}${who}): ${error.reason}: ${error.message.split('\n')[0]}`)
    }
    return error
  }

  private async apply(host: AuthenticatedHost, payload: CheckinPayload): Promise<CheckinOutcome> {
    const categories = await applyCheckin(this.sql, host.hostId, payload)
    this.options.logger.info(
      `check-in of ${host.hostName}: ${categories.map((c) => `${c.category} +${c.added} ~${c.updated} -${c.deleted}`).join(', ') || 'no categories'}`,
    )
    return { host: host.hostName, categories, reply: [...categories.map(categoryReplyLine), SUCCESS].join('\n') }
  }
}

function busy(): CheckinRefusedError {
  return new CheckinRefusedError('Too many check-ins in progress, try again shortly.', { reason: 'busy', details: { retryAfterSeconds: 10 } })
}

function rateLimited(message: string, retryAfterSeconds: number): CheckinRefusedError {
  return new CheckinRefusedError(message, { reason: 'rate-limited', details: { retryAfterSeconds } })
}

function sameIdentity(a: CheckinIdentity, b: CheckinIdentity): boolean {
  return a.siteName === b.siteName && a.sitePassword === b.sitePassword && a.hostName === b.hostName && a.userActive === b.userActive
}

/**
 * Text the database cannot store (PostgreSQL class 22, data exception: a NUL, an
 * untranslatable character) is the client's fault: refused, never a 500.
 */
async function storable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code)) {
      throw new CheckinRefusedError('The check-in data holds text the database cannot store.', { reason: 'malformed' })
    }
    throw error
  }
}

/** The reply text of a refusal: why, then the failure line the old clients know. */
export function refusalReply(error: CheckinRefusedError): string {
  return `${error.message}\n${FAILURE}`
}

/** The service and the limits of the [checkin] config section, for the HTTP layer. */
export function checkinServiceFromConfig(database: Pick<Database, 'sql'>, options: { config: ResolvedConfig; logger: Logger }) {
  const { config, logger } = options
  const maxPayloadBytes = config.get('checkin.max_payload_bytes')
  const service = new CheckinService(database.sql, {
    privateOnly: config.get('checkin.private_only'),
    maxPayloadBytes,
    rateLimitBurst: config.get('checkin.rate_limit_burst'),
    rateLimitPerHour: config.get('checkin.rate_limit_per_hour'),
    failureLimitBurst: config.get('checkin.failure_limit_burst'),
    failureLimitPerHour: config.get('checkin.failure_limit_per_hour'),
    maxInFlight: config.get('checkin.max_in_flight'),
    logger,
  })
  return {
    service,
    logger,
    maxBodyBytes: config.get('checkin.max_body_bytes'),
    requestTimeoutMs: config.get('checkin.request_timeout') * 1000,
    bodyTimeoutMs: config.get('checkin.body_timeout') * 1000,
    maxConnectionsPerAddress: config.get('checkin.max_connections_per_address'),
    trustProxy: config.get('checkin.trust_proxy'),
  }
}
