/**
 * The crawler's vocabulary: what the master says a category holds (CategoryTree), what
 * a host carries (CrawlHost), and what one crawl found (HostCrawlResult).
 */

export type CrawlMode = 'full' | 'canary' | 'repodata'

/** The result stored in host.last_crawl_result and the crawl log. */
export type HostResult = 'ok' | 'failure' | 'timeout' | 'unreachable'

/** One file of a directory's short file list on the master. */
export interface MasterFile {
  name: string
  size: number
}

/** One master directory of a category, as the crawler needs it. */
export interface MasterDirectory {
  id: number
  /** Path relative to the category's top directory ('' for the top itself). */
  path: string
  readable: boolean
  files: MasterFile[]
  /** sha256 of the newest repomd.xml file detail of this directory, if it has one. */
  repomdSha256?: string
}

/** Where a category's fullfiletimelist lives, relative to the category URL. */
export interface FileListLocation {
  /** Relative reference from the category URL, e.g. `fullfiletimelist-epel` or `../fullfiletimelist-fedora`. */
  reference: string
  /** Prefix of the category's paths inside the list ('' or e.g. `linux/`). */
  pathPrefix: string
}

export interface CategoryTree {
  categoryId: number
  name: string
  /** Full master path of the top directory, e.g. `pub/epel`. */
  topdir: string
  directories: MasterDirectory[]
  fileList?: FileListLocation
}

export interface HostCategoryTarget {
  hostCategoryId: number
  categoryId: number
  categoryName: string
  /** The category's URLs on this host (private ones only with --include-private). */
  urls: string[]
}

export interface CrawlHost {
  id: number
  name: string
  country: string
  maxConnections: number
  lastCrawlDuration: number | null
  crawlFailures: number
  categories: HostCategoryTarget[]
}

/** Per directory: confirmed equal to the master, or found different/missing. */
export type DirectoryVerdict = 'up2date' | 'stale'

export interface CategoryOutcome {
  hostCategoryId: number
  categoryName: string
  /** The protocol that answered, or null when none did. */
  protocol: string | null
  /** checked: verdicts are trustworthy; unreachable: no protocol answered. */
  status: 'checked' | 'unreachable' | 'canary-ok'
  /** True when every directory of the category was checked (full mode). */
  complete: boolean
  verdicts: Map<number, DirectoryVerdict>
  /** Why each protocol tried before was given up, for the crawl log. */
  attempts: string[]
}

export interface FamilyReachability {
  family: 4 | 6
  protocol: string
  address: string | null
  reachable: boolean
  error: string | null
}

export interface RequestCounters {
  /** Requests (HTTP requests, FTP commands, rsync runs) per protocol. */
  requests: Record<string, number>
  bytes: number
}

export interface HostCrawlResult {
  host: CrawlHost
  mode: CrawlMode
  result: HostResult
  started: Date
  finished: Date
  categories: CategoryOutcome[]
  families: FamilyReachability[]
  counters: RequestCounters
  /** Set when the host was disabled by this crawl. */
  disabled: boolean
  message: string | null
}

export function newCounters(): RequestCounters {
  return { requests: {}, bytes: 0 }
}

export function countRequest(counters: RequestCounters, protocol: string, n = 1): void {
  counters.requests[protocol] = (counters.requests[protocol] ?? 0) + n
}

export function addCounters(into: RequestCounters, from: RequestCounters): void {
  for (const [protocol, n] of Object.entries(from.requests)) countRequest(into, protocol, n)
  into.bytes += from.bytes
}
