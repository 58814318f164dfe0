/**
 * Crawls one host: per category, the protocols cheapest first until one answers; a
 * per-host deadline; IPv4/IPv6 reachability. Never throws for anything a mirror does:
 * every failure ends as a HostResult and a line in the crawl log.
 */
import { settleEmptyDirectories } from './empty-directories.js'
import type { Connector, ConnectorLimits, CategoryCheck } from './connectors/connector.js'
import { reasonOf } from './connectors/connector.js'
import { isRepodataDirectory } from './category-tree.js'
import { HttpClient } from './http-client.js'
import { checkFamilies } from './ip-families.js'
import {
  newCounters,
  type CategoryOutcome,
  type CategoryTree,
  type CrawlHost,
  type CrawlMode,
  type HostCategoryTarget,
  type HostCrawlResult,
  type HostResult,
  type RequestCounters,
} from './types.js'

export interface CrawlHostContext {
  mode: CrawlMode
  /** Cheapest first. */
  connectors: readonly Connector[]
  tree(categoryId: number): Promise<CategoryTree>
  limits: ConnectorLimits
  connectionsPerHost: number
  maxRedirects: number
  hostTimeoutMs: number
  signal: AbortSignal
  onStep?(host: CrawlHost, text: string): void
}

interface Attempt {
  connector: Connector
  url: string
}

/** Every (connector, URL) pair for a category, cheapest protocol first. */
export function attemptsFor(connectors: readonly Connector[], urls: string[]): Attempt[] {
  const attempts: Attempt[] = []
  for (const connector of connectors) {
    for (const url of urls) {
      let parsed: URL
      try {
        parsed = new URL(url)
      } catch {
        continue
      }
      if (connector.accepts(parsed)) attempts.push({ connector, url: url.replace(/\/+$/, '') })
    }
  }
  return attempts
}

async function crawlCategory(
  target: HostCategoryTarget,
  context: CrawlHostContext,
  http: HttpClient,
  counters: RequestCounters,
  signal: AbortSignal,
): Promise<CategoryOutcome> {
  const tree = await context.tree(target.categoryId)
  const directories = context.mode === 'repodata' ? tree.directories.filter(isRepodataDirectory) : tree.directories
  const outcome: CategoryOutcome = {
    hostCategoryId: target.hostCategoryId,
    categoryName: target.categoryName,
    protocol: null,
    status: 'unreachable',
    complete: context.mode === 'full',
    verdicts: new Map(),
    attempts: [],
  }
  for (const { connector, url } of attemptsFor(context.connectors, target.urls)) {
    const check: CategoryCheck = { url, tree, directories, http, signal, counters, limits: context.limits }
    if (context.mode === 'canary') {
      if (!connector.canary) continue
      const failure = await connector.canary(check)
      if (failure === null) return { ...outcome, protocol: connector.protocol, status: 'canary-ok' }
      outcome.attempts.push(`${connector.protocol} ${url}: ${failure}`)
      continue
    }
    const result = await connector.check(check)
    if (result.status === 'checked') {
      const verdicts = settleEmptyDirectories(directories, result.verdicts)
      return { ...outcome, protocol: connector.protocol, status: 'checked', verdicts }
    }
    outcome.attempts.push(`${connector.protocol} ${url}: ${result.reason}`)
  }
  if (outcome.attempts.length === 0) outcome.attempts.push('no usable URL')
  return outcome
}

function hostResult(categories: CategoryOutcome[]): HostResult {
  const unreachable = categories.filter((category) => category.status === 'unreachable').length
  if (unreachable === 0) return 'ok'
  return unreachable === categories.length ? 'unreachable' : 'failure'
}

/**
 * The host's deadline: its own timeout or the global one, whichever comes first. Built
 * from a plain AbortController and a timer we hold on to: on Node 20 a signal made by
 * AbortSignal.any() from an AbortSignal.timeout() can be garbage collected before it
 * fires, and a byte-a-second mirror then holds the crawl forever (seen under load).
 */
function hostDeadline(global: AbortSignal, timeoutMs: number): { signal: AbortSignal; release(): void } {
  const controller = new AbortController()
  const onGlobal = () => controller.abort(global.reason)
  if (global.aborted) onGlobal()
  else global.addEventListener('abort', onGlobal, { once: true })
  const timer = setTimeout(() => controller.abort(new Error(`host timeout after ${timeoutMs / 1000} s`)), timeoutMs)
  return {
    signal: controller.signal,
    release() {
      clearTimeout(timer)
      global.removeEventListener('abort', onGlobal)
    },
  }
}

export async function crawlHost(host: CrawlHost, context: CrawlHostContext): Promise<HostCrawlResult> {
  const started = new Date()
  const counters = newCounters()
  const { signal, release } = hostDeadline(context.signal, context.hostTimeoutMs)
  const connections = Math.max(1, Math.min(host.maxConnections, context.connectionsPerHost))
  const http = new HttpClient({ connections, requestTimeoutMs: context.limits.requestTimeoutMs, maxRedirects: context.maxRedirects, userAgent: context.limits.userAgent })
  const categories: CategoryOutcome[] = []
  let result: HostResult
  let message: string | null = null
  const families = checkFamilies(
    host.categories.flatMap((category) => category.urls),
    context.limits.requestTimeoutMs,
    signal,
  )
  try {
    for (const target of host.categories) {
      context.onStep?.(host, target.categoryName)
      categories.push(await crawlCategory(target, context, http, counters, signal))
    }
    result = hostResult(categories)
  } catch (error) {
    if (signal.aborted) {
      result = 'timeout'
      message = context.signal.aborted ? 'global timeout reached' : `host timeout (${context.hostTimeoutMs / 1000} s) reached`
    } else {
      result = 'failure'
      message = `crawler error: ${reasonOf(error)}`
    }
  } finally {
    release()
    await http.close()
  }
  if (result === 'timeout' || message !== null) {
    // Nothing found in an interrupted crawl is trusted: every category counts as unreachable.
    categories.length = 0
    for (const target of host.categories) {
      categories.push({ hostCategoryId: target.hostCategoryId, categoryName: target.categoryName, protocol: null, status: 'unreachable', complete: true, verdicts: new Map(), attempts: [message ?? ''] })
    }
  }
  return { host, mode: context.mode, result, started, finished: new Date(), categories, families: await families, counters, disabled: false, message }
}
