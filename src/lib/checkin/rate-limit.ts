/**
 * Token buckets: `burst` events at once, refilled at `perHour`. The check-in server keeps
 * two: failed check-ins per client address (checked before any work, so guessing
 * passwords or sending garbage costs the sender, not the server or anyone else), and
 * successful check-ins per site (taken only after the password was verified, so nobody
 * but the site itself can use them up). The clock is injected.
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
    return this.decide(key, true)
  }

  /** Would `take` allow it? Takes nothing. */
  peek(key: string): RateDecision {
    return this.decide(key, false)
  }

  private decide(key: string, consume: boolean): RateDecision {
    const now = this.now()
    const bucket = this.refill(key.toLowerCase(), now)
    if (bucket.tokens >= 1) {
      if (consume) bucket.tokens -= 1
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

/**
 * The key failures are counted under: the IPv4 address, or the /64 of an IPv6 address
 * (one subscriber usually has a whole /64). IPv4-mapped IPv6 addresses count as IPv4.
 */
export function clientAddressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return mapped[1]
  if (!address.includes(':')) return address
  const [head, tail = ''] = address.split('%')[0].toLowerCase().split('::')
  const left = head === '' ? [] : head.split(':')
  const right = address.includes('::') ? (tail === '' ? [] : tail.split(':')) : []
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`
}
