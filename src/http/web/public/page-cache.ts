/**
 * Rendered pages kept in memory for a short time (the data changes with crawls and
 * ingests, a few times an hour), keyed by what the route parsed — never the raw URL, so
 * junk query strings cannot fill it — and bounded in size. Concurrent misses share one
 * render. Each entry carries an ETag (a hash of the body) and the time that body was first
 * rendered, for conditional requests and proxies.
 */
import { createHash } from 'node:crypto'

export interface CachedPage {
  body: string
  type: string
  status: number
  etag: string
  lastModified: Date
}

export interface RenderedPage {
  body: string
  type: string
  status?: number
}

interface Entry {
  page: Promise<CachedPage>
  expires: number
}

export class PageCache {
  private entries = new Map<string, Entry>()
  /** The last body per key, to keep Last-Modified when a re-render gives the same bytes. */
  private previous = new Map<string, CachedPage>()

  constructor(
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string, render: () => Promise<RenderedPage>): Promise<CachedPage> {
    const time = this.now()
    const hit = this.entries.get(key)
    if (hit && hit.expires > time) return hit.page
    if (this.entries.size >= this.maxEntries) {
      // oldest first (Map keeps insertion order)
      for (const old of this.entries.keys()) {
        this.entries.delete(old)
        this.previous.delete(old)
        if (this.entries.size < this.maxEntries / 2) break
      }
    }
    const page = render().then((rendered) => {
      const etag = `"${createHash('sha256').update(rendered.body).digest('base64url').slice(0, 27)}"`
      const before = this.previous.get(key)
      const cached: CachedPage = {
        body: rendered.body,
        type: rendered.type,
        status: rendered.status ?? 200,
        etag,
        lastModified: before?.etag === etag ? before.lastModified : new Date(Math.floor(time / 1000) * 1000),
      }
      this.previous.set(key, cached)
      return cached
    })
    this.entries.set(key, { page, expires: time + this.ttlMs })
    page.catch(() => this.entries.delete(key)) // a failed render is not cached
    return page
  }
}
