/**
 * The bytes each host contributes to the answers for one target (a directory, or a file
 * in it), rendered on first use and kept in a cache bounded in bytes.
 *
 * Speed: a metalink of ~180 URLs is ~750 pieces (line head, preference, host URL, the
 * target's suffix); copying them one by one dominated the answer (bench/RESULTS-server.md).
 * For one target, everything of a host's lines but the preference number is fixed, so it
 * is kept joined, with room for a preference of the width the host's position needs (3
 * digits for the first host, 2 for the next 90, 1 after): an answer copies one block per
 * host and writes the digits into it, instead of copying ~16 pieces per host.
 *
 * The cache is a memo of a pure function of (index, target, host): answers are the same
 * bytes with or without it. It lives per loaded index, so a reload starts a new one.
 */
import type { HostUrl, IndexedCategory, IndexedDirectory, MirrorIndex } from './index/index-types.js'
import { escapeXml } from './xml.js'
import { urlView } from './mirror-urls.js'

/** Upper bound of the cached bytes per loaded index (hot targets stay, cold ones go first). */
export const HOST_LINES_CACHE_BYTES = 16 * 1024 * 1024

export type LinesKind = 'metalink' | 'plain'

/**
 * A host's metalink lines for one target: k + 1 segments around its k preference numbers,
 * joined per preference width (1–3 digits) on first use.
 */
export class HostBlock {
  /** bytes without the preferences */
  readonly bytes: number
  /** where the i-th preference starts when every preference is 0 digits wide */
  readonly bases: Int32Array
  private readonly templates: (Buffer | undefined)[] = [undefined, undefined, undefined, undefined]

  constructor(private readonly segments: readonly Buffer[]) {
    this.bases = new Int32Array(segments.length - 1)
    let offset = 0
    for (let i = 0; i < this.bases.length; i++) {
      offset += segments[i]!.length
      this.bases[i] = offset
    }
    this.bytes = offset + segments[segments.length - 1]!.length
  }

  /** how many preferences the block holds (the host's URL count) */
  get preferences(): number {
    return this.bases.length
  }

  /** The block with `width` bytes of room at each preference (filled in by the caller). */
  template(width: number): Buffer {
    let template = this.templates[width]
    if (!template) {
      const room = Buffer.alloc(width, '0')
      const parts: Buffer[] = [this.segments[0]!]
      for (let i = 1; i < this.segments.length; i++) parts.push(room, this.segments[i]!)
      template = this.templates[width] = Buffer.concat(parts)
    }
    return template
  }
}

/** The URLs a target's lines are made of: a category's, or one family's view of them (IndexedCategory.familyViews). */
export type UrlView = Pick<IndexedCategory, 'urlsByHost' | 'plainUrlByHost'>

/** Bytes of a target's plain-line arena when its first line is added. */
const FIRST_ARENA_BYTES = 4096

export class TargetLines {
  /** kind 'metalink': each host's block by host index (undefined: not rendered yet, null: the host has no URL here) */
  private readonly byHost: (HostBlock | null | undefined)[]
  /**
   * kind 'plain': each host's line by host index (undefined: not rendered yet, null: the
   * host has no plain URL here), rendered on first use one after another into a shared
   * arena (a line is a view of it).
   * Speed: an answer reads its lines by host index (no host or MirrorUrls object), and a
   * target's lines lie together in one buffer: few memory reads when the kernel's
   * networking has pushed the index out of the CPU caches between requests
   * (bench/RESULTS-server.md, 2026-12-05 session 11).
   */
  readonly lines: (Buffer | null | undefined)[]
  private arena = Buffer.alloc(0)
  private arenaUsed = 0
  /** bytes held, for the cache bound */
  bytes = 0
  /** when the cache last moved it to the back of its order, in target() calls (HostLinesCache) */
  movedAt = 0

  constructor(
    readonly kind: LinesKind,
    /** the cache's key of kind and view (`metalink`, `metalink/v6`, ...) */
    readonly key: string,
    readonly view: UrlView,
    readonly directory: IndexedDirectory,
    readonly suffix: string,
    hostCount: number,
    private readonly onGrow: (bytes: number) => void,
  ) {
    const plain = kind === 'plain'
    this.byHost = new Array<HostBlock | null | undefined>(plain ? 0 : hostCount)
    this.lines = new Array<Buffer | null | undefined>(plain ? hostCount : 0)
    this.grow(hostCount * 8)
  }

  /** The metalink block for this target of the host with this index; null when it has no URL. */
  blockAt(hostIndex: number): HostBlock | null {
    let block = this.byHost[hostIndex]
    if (block === undefined) {
      const urls = this.view.urlsByHost[hostIndex]
      block = urls && urls.length > 0 ? metalinkBlock(urls, this.suffix) : null
      this.byHost[hostIndex] = block
      // a block keeps its segments and (mostly) one template: count it twice, plus objects
      this.grow(block === null ? 16 : 2 * block.bytes + 200)
    }
    return block
  }

  /** Renders the plain lines of these hosts that are not rendered yet (`lines`). */
  renderLines(hostIndexes: readonly number[]): void {
    const lines = this.lines
    for (let h = 0; h < hostIndexes.length; h++) {
      const hostIndex = hostIndexes[h]!
      if (lines[hostIndex] === undefined) lines[hostIndex] = this.renderLine(hostIndex)
    }
  }

  private renderLine(hostIndex: number): Buffer | null {
    const url = this.view.plainUrlByHost[hostIndex]
    if (!url) {
      this.grow(16)
      return null
    }
    const line = `${url.url}${this.suffix}\n`
    const length = Buffer.byteLength(line)
    if (this.arenaUsed + length > this.arena.length) {
      // a new arena; the lines already made stay views of the old one
      this.arena = Buffer.allocUnsafe(Math.max(FIRST_ARENA_BYTES, 2 * this.arena.length, length))
      this.arenaUsed = 0
      this.grow(this.arena.length)
    }
    const start = this.arenaUsed
    this.arenaUsed += this.arena.write(line, start)
    this.grow(100)
    return this.arena.subarray(start, this.arenaUsed)
  }

  private grow(bytes: number): void {
    this.bytes += bytes
    this.onGrow(bytes)
  }
}

/** `head₁ | tail₁ suffix head₂ | … | tailₖ suffix`: the text around the k preferences. */
export function metalinkBlock(urls: readonly HostUrl[], suffix: string): HostBlock {
  const end = Buffer.from(`${escapeXml(suffix)}</url>\n`)
  const segments: Buffer[] = [urls[0]!.metalinkHead]
  for (let i = 0; i < urls.length; i++) {
    const parts = [urls[i]!.metalinkTail, end]
    if (i + 1 < urls.length) parts.push(urls[i + 1]!.metalinkHead)
    segments.push(Buffer.concat(parts))
  }
  return new HostBlock(segments)
}

/** The cache keys of the family views (constants: no key string made per request). */
const VIEW_KEYS = { metalink: { 4: 'metalink/v4', 6: 'metalink/v6' }, plain: { 4: 'plain/v4', 6: 'plain/v6' } } as const

/** A hit target is moved to the back of the order at most once in this many calls. */
const MOVE_AFTER_CALLS = 32

/**
 * Speed: a request finds its target with two lookups (the directory object, then the
 * suffix) instead of building and hashing a `kind + name + suffix` key, and keeps the
 * least-recently-used order without a Set delete and insert per request: a hit target
 * is moved to the back only when more than min(32, targets / 2) calls went by since its
 * last move. Fewer moves than that happened meanwhile, so it is still among the newest
 * 32 (or the newer half): never the next to be evicted, and a hot target costs one
 * comparison per request when many targets are cached. The target already at the back
 * (the one a server with one hot target answers from) is never moved.
 */
export class HostLinesCache {
  /** insertion order = least recently used first (approximately: see above) */
  private readonly order = new Set<TargetLines>()
  /** the last target of `order` (moving it to the back would change nothing) */
  private newest: TargetLines | undefined
  /** by kind and view (`metalink`, `plain`, `metalink/v6`, `plain/v4`, ...) */
  private readonly byKind = new Map<string, Map<IndexedDirectory, Map<string, TargetLines>>>()
  private clock = 0
  private bytes = 0

  constructor(
    private readonly hostCount: number,
    private readonly limitBytes = HOST_LINES_CACHE_BYTES,
  ) {}

  /** `family`: the lines of that family's view of the URLs (only categories with family data have one; others share the plain lines). */
  target(kind: LinesKind, directory: IndexedDirectory, suffix: string, family?: 4 | 6): TargetLines {
    const clock = ++this.clock
    const view = urlView(directory.category, family)
    const key = view === directory.category ? kind : VIEW_KEYS[kind][family!]
    let byDirectory = this.byKind.get(key)
    if (!byDirectory) this.byKind.set(key, (byDirectory = new Map()))
    let bySuffix = byDirectory.get(directory)
    let target = bySuffix?.get(suffix)
    if (target) {
      if (target === this.newest) target.movedAt = clock
      else if (clock - target.movedAt > Math.min(MOVE_AFTER_CALLS, this.order.size / 2)) this.moveToBack(target, clock)
    } else {
      target = new TargetLines(kind, key, view, directory, suffix, this.hostCount, (bytes) => (this.bytes += bytes))
      if (!bySuffix) byDirectory.set(directory, (bySuffix = new Map()))
      bySuffix.set(suffix, target)
      this.moveToBack(target, clock)
    }
    if (this.bytes > this.limitBytes) this.evict(target)
    return target
  }

  private moveToBack(target: TargetLines, clock: number): void {
    this.order.delete(target)
    this.order.add(target)
    this.newest = target
    target.movedAt = clock
  }

  /** Drops the least recently used targets (never the one in use) while over the bound. */
  private evict(inUse: TargetLines): void {
    for (const target of this.order) {
      if (this.bytes <= this.limitBytes) return
      if (target === inUse) continue
      this.order.delete(target)
      if (target === this.newest) this.newest = undefined
      const byDirectory = this.byKind.get(target.key)!
      const bySuffix = byDirectory.get(target.directory)!
      bySuffix.delete(target.suffix)
      if (bySuffix.size === 0) byDirectory.delete(target.directory)
      this.bytes -= target.bytes
    }
  }

  /** bytes held (for tests and metrics) */
  get size(): { targets: number; bytes: number } {
    return { targets: this.order.size, bytes: this.bytes }
  }
}

const caches = new WeakMap<MirrorIndex, HostLinesCache>()

/** The cache of a loaded index. */
export function hostLinesOf(index: MirrorIndex): HostLinesCache {
  let cache = caches.get(index)
  if (!cache) caches.set(index, (cache = new HostLinesCache(index.hosts.length)))
  return cache
}
