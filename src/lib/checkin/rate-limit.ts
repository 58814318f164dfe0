/**
 * Token buckets keyed by site name: `burst` check-ins at once, refilled at `perHour`.
 * Checked before the (deliberately slow) password verification, so guessing passwords
 * or flooding one site costs the attacker time, not the server. The clock is injected.
 */
export interface RateLimiterOptions {
  burst: number
  perHour: number
  /** Buckets kept at most; full (idle) buckets are dropped first. */
  maxKeys?: number
  now?: () => number
}

export interface RateDecision {
  allowed: boolean
  /** Seconds until the next token, when refused. */
  retryAfterSeconds: number
}

interface Bucket {
  tokens: number
  updatedAt: number
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>()
  private readonly perMs: number
  private readonly now: () => number
  private readonly maxKeys: number

  constructor(private readonly options: RateLimiterOptions) {
    this.perMs = options.perHour / 3_600_000
    this.now = options.now ?? Date.now
    this.maxKeys = options.maxKeys ?? 10_000
  }

  take(key: string): RateDecision {
    const now = this.now()
    const bucket = this.refill(key.toLowerCase(), now)
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return { allowed: true, retryAfterSeconds: 0 }
    }
    const wait = this.perMs > 0 ? Math.ceil((1 - bucket.tokens) / this.perMs / 1000) : 3600
    return { allowed: false, retryAfterSeconds: wait }
  }

  private refill(key: string, now: number): Bucket {
    let bucket = this.buckets.get(key)
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.evict(now)
      bucket = { tokens: this.options.burst, updatedAt: now }
      this.buckets.set(key, bucket)
      return bucket
    }
    bucket.tokens = Math.min(this.options.burst, bucket.tokens + (now - bucket.updatedAt) * this.perMs)
    bucket.updatedAt = now
    return bucket
  }

  /** Drops buckets that have refilled (they behave like new ones), else the oldest. */
  private evict(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.updatedAt) * this.perMs >= this.options.burst) this.buckets.delete(key)
    }
    if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string)
  }
}
