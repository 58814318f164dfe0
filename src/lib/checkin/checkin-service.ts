import { CheckinRefusedError } from '../errors.js'
import type { ResolvedConfig } from '../config/resolve.js'
import type { Sql } from '../db/sql.js'
import type { Logger } from '../log.js'
import { applyCheckin, categoryReplyLine, type CategoryCheckinResult } from './apply-checkin.js'
import { authenticateHost, NOT_PRIVATE } from './authenticate.js'
import { decodeLegacyWire } from './legacy-wire.js'
import { validateCheckinPayload, type CheckinPayload } from './payload.js'
import { RateLimiter } from './rate-limit.js'

export interface CheckinServiceOptions {
  /** Only private hosts (or hosts of private sites) may check in (checkin.private_only). */
  privateOnly: boolean
  /** Decompressed payload bytes at most (checkin.max_payload_bytes). */
  maxPayloadBytes: number
  rateLimitBurst: number
  rateLimitPerHour: number
  logger: Logger
}

export interface CheckinOutcome {
  readonly host: string
  readonly categories: readonly CategoryCheckinResult[]
  /** The reply text: one line per category, then "checked in successful". */
  readonly reply: string
}

export const SUCCESS = 'checked in successful'
export const FAILURE = 'error checking in'

/** The check-in rules (README, "Private mirrors: report-mirror and the check-in server"), independent of the transport. */
export class CheckinService {
  private readonly limiter: RateLimiter

  constructor(
    private readonly sql: Sql,
    private readonly options: CheckinServiceOptions,
  ) {
    this.limiter = new RateLimiter({ burst: options.rateLimitBurst, perHour: options.rateLimitPerHour })
  }

  /** A legacy XML-RPC check-in: the urlsafe-base64 bzip2 JSON text. */
  async checkinLegacy(wire: string): Promise<CheckinOutcome> {
    const config = await this.logRefusal(undefined, () => decodeLegacyWire(wire, { maxPayloadBytes: this.options.maxPayloadBytes }))
    return this.checkin(config)
  }

  /** A check-in from its JSON value (already decoded by the transport). */
  async checkin(config: unknown): Promise<CheckinOutcome> {
    const payload = await this.logRefusal(undefined, async () => validateCheckinPayload(config))
    return this.logRefusal(payload, () => this.apply(payload))
  }

  /** Refusals are logged for the admin, with the names the client sent (never the password). */
  private async logRefusal<T>(payload: CheckinPayload | undefined, work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      if (error instanceof CheckinRefusedError) {
        const who = payload ? ` (site ${JSON.stringify(payload.siteName)}, host ${JSON.stringify(payload.hostName)})` : ''
        this.options.logger.info(`check-in refused${who}: ${error.reason}: ${error.message.split('\n')[0]}`)
      }
      throw error
    }
  }

  private async apply(payload: CheckinPayload): Promise<CheckinOutcome> {
    const decision = this.limiter.take(payload.siteName)
    if (!decision.allowed) {
      throw new CheckinRefusedError(`Too many check-ins for this site; try again in ${decision.retryAfterSeconds} seconds.`, {
        reason: 'rate-limited',
        details: { retryAfterSeconds: decision.retryAfterSeconds },
      })
    }
    const host = await authenticateHost(this.sql, payload)
    if (this.options.privateOnly && !host.isPrivate) throw new CheckinRefusedError(NOT_PRIVATE, { reason: 'policy' })
    const categories = await applyCheckin(this.sql, host.hostId, payload)
    this.options.logger.info(
      `check-in of ${host.hostName}: ${categories.map((c) => `${c.category} +${c.added} ~${c.updated} -${c.deleted}`).join(', ') || 'no categories'}`,
    )
    return { host: host.hostName, categories, reply: [...categories.map(categoryReplyLine), SUCCESS].join('\n') }
  }
}

/** The reply text of a refusal: why, then the failure line the old clients know. */
export function refusalReply(error: CheckinRefusedError): string {
  return `${error.message}\n${FAILURE}`
}

/** The service and the limits of the [checkin] config section, for the HTTP layer. */
export function checkinServiceFromConfig(sql: Sql, config: ResolvedConfig, logger: Logger) {
  const maxPayloadBytes = config.get('checkin.max_payload_bytes')
  const service = new CheckinService(sql, {
    privateOnly: config.get('checkin.private_only'),
    maxPayloadBytes,
    rateLimitBurst: config.get('checkin.rate_limit_burst'),
    rateLimitPerHour: config.get('checkin.rate_limit_per_hour'),
    logger,
  })
  return {
    service,
    logger,
    maxPayloadBytes,
    maxBodyBytes: config.get('checkin.max_body_bytes'),
    requestTimeoutMs: config.get('checkin.request_timeout') * 1000,
    maxInFlight: config.get('checkin.max_in_flight'),
  }
}
