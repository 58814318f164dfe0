/**
 * The bytes each host contributes to the answers for one target (a directory, or a file
 * in it), rendered on first use and kept in a cache bounded in bytes.
 *
 * Speed: a metalink of ~180 URLs is ~750 pieces (line head, preference, host URL, the
 * target's suffix); copying them one by one dominated the answer (bench/RESULTS-server.md).
 * For one target, everything of a host's lines but the preference number is fixed, so it
 * is kept joined: a host with k URLs is k + 1 segments around its k preferences, and a
 * plain mirror-list line is one segment. An answer then copies ~5 segments per host
 * instead of ~16 pieces.
 *
 * The cache is a memo of a pure function of (index, target, host): answers are the same
 * bytes with or without it. It lives per loaded index, so a reload starts a new one.
 */
import type { HostUrl, IndexedDirectory, IndexedHost, MirrorIndex } from '../snapshot/index-types.js'
import { escapeXml } from './xml.js'

/** Upper bound of the cached bytes per loaded index (hot targets stay, cold ones go first). */
export const HOST_LINES_CACHE_BYTES = 16 * 1024 * 1024

export type LinesKind = 'metalink' | 'plain'

/** metalink: the k + 1 segments around a host's k preference numbers; plain: its one line. */
export type HostSegments = readonly Buffer[]

export class TargetLines {
  private readonly byHost: (HostSegments | null | undefined)[]
  /** bytes held, for the cache bound */
  bytes = 0

  constructor(
    readonly kind: LinesKind,
    readonly directory: IndexedDirectory,
    readonly suffix: string,
    hostCount: number,
    private readonly onGrow: (bytes: number) => void,
  ) {
    this.byHost = new Array<HostSegments | null | undefined>(hostCount)
  }

  /** The host's segments for this target; undefined when it has no URL to list. */
  of(host: IndexedHost): HostSegments | undefined {
    let segments = this.byHost[host.index]
    if (segments === undefined) {
      segments = this.render(host)
      this.byHost[host.index] = segments
      const added = segments ? segments.reduce((sum, segment) => sum + segment.length, 0) + 64 : 16
      this.bytes += added
      this.onGrow(added)
    }
    return segments ?? undefined
  }

  private render(host: IndexedHost): HostSegments | null {
    const category = this.directory.category
    if (this.kind === 'plain') {
      const url = category.plainUrlByHost[host.index]
      return url ? [Buffer.from(`${url.url}${this.suffix}\n`)] : null
    }
    const urls = category.urlsByHost[host.index]
    return urls && urls.length > 0 ? metalinkSegments(urls, this.suffix) : null
  }
}

/** `head₁ | tail₁ suffix head₂ | … | tailₖ suffix`: the text around the k preferences. */
export function metalinkSegments(urls: readonly HostUrl[], suffix: string): Buffer[] {
  const end = Buffer.from(`${escapeXml(suffix)}</url>\n`)
  const segments: Buffer[] = [urls[0]!.metalinkHead]
  for (let i = 0; i < urls.length; i++) {
    const parts = [urls[i]!.metalinkTail, end]
    if (i + 1 < urls.length) parts.push(urls[i + 1]!.metalinkHead)
    segments.push(Buffer.concat(parts))
  }
  return segments
}

export class HostLinesCache {
  /** insertion order = least recently used first */
  private readonly targets = new Map<string, TargetLines>()
  private bytes = 0

  constructor(
    private readonly hostCount: number,
    private readonly limitBytes = HOST_LINES_CACHE_BYTES,
  ) {}

  target(kind: LinesKind, directory: IndexedDirectory, suffix: string): TargetLines {
    const key = `${kind}\0${directory.name}\0${suffix}`
    let target = this.targets.get(key)
    if (target) {
      this.targets.delete(key)
    } else {
      target = new TargetLines(kind, directory, suffix, this.hostCount, (bytes) => (this.bytes += bytes))
    }
    this.targets.set(key, target)
    this.evict(target)
    return target
  }

  /** Drops the least recently used targets (never the one in use) while over the bound. */
  private evict(inUse: TargetLines): void {
    for (const [key, target] of this.targets) {
      if (this.bytes <= this.limitBytes) return
      if (target === inUse) continue
      this.targets.delete(key)
      this.bytes -= target.bytes
    }
  }

  /** bytes held (for tests and metrics) */
  get size(): { targets: number; bytes: number } {
    return { targets: this.targets.size, bytes: this.bytes }
  }
}

const caches = new WeakMap<MirrorIndex, HostLinesCache>()

/** The cache of a loaded index. */
export function hostLinesOf(index: MirrorIndex): HostLinesCache {
  let cache = caches.get(index)
  if (!cache) caches.set(index, (cache = new HostLinesCache(index.hosts.length)))
  return cache
}
