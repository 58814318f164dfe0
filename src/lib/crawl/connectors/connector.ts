/**
 * The one interface every protocol implements. A connector checks one category of one
 * host at one URL and either returns a verdict per directory it checked, or says the
 * protocol is unavailable (connection refused, TLS error, timeout, unknown module,
 * listing too big, a list that fails verification): the crawler then tries the next.
 */
import type { HttpClient } from '../http-client.js'
export { ProtocolUnavailable, reasonOf } from '../protocol-unavailable.js'
import type { CategoryTree, DirectoryVerdict, MasterDirectory, RequestCounters } from '../types.js'

export interface ConnectorLimits {
  /** Milliseconds for connect / headers / between body chunks. */
  requestTimeoutMs: number
  maxListingBytes: number
  /** Files checked by HEAD after a fullfiletimelist comparison, besides every repomd.xml. */
  sampleSize: number
  /** Whole-run limit of one rsync listing (the host timeout). */
  rsyncTimeoutMs: number
  userAgent: string
}

export interface CategoryCheck {
  /** The category's base URL on the mirror, without a trailing slash. */
  url: string
  tree: CategoryTree
  /** The directories to decide on (all of them, or only repodata ones). */
  directories: MasterDirectory[]
  http: HttpClient
  signal: AbortSignal
  counters: RequestCounters
  limits: ConnectorLimits
}

export type CheckResult =
  | { status: 'checked'; verdicts: Map<number, DirectoryVerdict> }
  | { status: 'unavailable'; reason: string }

export interface Connector {
  /** Name used in counters, logs and the crawl log: fullfiletimelist, rsync, http, https, ftp. */
  readonly protocol: string
  /** Whether this connector can use a URL of this scheme. */
  accepts(url: URL): boolean
  check(check: CategoryCheck): Promise<CheckResult>
  /** --canary: does the category's base URL answer at all? Returns null when it does, else the reason. */
  canary?(check: CategoryCheck): Promise<string | null>
}

export function unavailable(reason: string): CheckResult {
  return { status: 'unavailable', reason }
}

/** Joins a base URL and a relative path; every path segment is percent-encoded. */
export function joinUrl(base: string, ...parts: string[]): string {
  const segments = parts
    .flatMap((part) => part.split('/'))
    .filter((segment) => segment !== '')
    .map((segment) => encodeURIComponent(segment))
  return segments.length === 0 ? base : `${base}/${segments.join('/')}`
}
