/**
 * From selected hosts to the URLs an answer lists, and the protocol trimming rules of
 * the reference: keep, per host, at most `max` URLs whose scheme is wanted (in the
 * host's URL order); drop hosts left without one; and if that would leave nothing at
 * all, keep the list as it was.
 */
import type { HostUrl, IndexedDirectory, IndexedHost } from '../snapshot/index-types.js'

export interface MirrorUrl {
  /** the full URL: host category URL + directory path (+ file) */
  url: string
  source: HostUrl
}

export interface MirrorUrls {
  host: IndexedHost
  urls: MirrorUrl[]
}

/** What follows the host category URL: `/<subpath>/` for a directory, `/<subpath>/<file>` for a file. */
export function urlSuffix(directory: IndexedDirectory, file: string, pathIsDirectory: boolean): string {
  let suffix = directory.subpath === '' ? '' : `/${directory.subpath}`
  if (file !== '') suffix += `/${file}`
  else if (pathIsDirectory) suffix += '/'
  return suffix
}

export function mirrorUrls(directory: IndexedDirectory, hosts: readonly IndexedHost[], suffix: string): MirrorUrls[] {
  const result: MirrorUrls[] = []
  for (const host of hosts) {
    const sources = directory.category.urlsByHost[host.index]
    if (!sources || sources.length === 0) continue
    result.push({ host, urls: sources.map((source) => ({ url: source.url + suffix, source })) })
  }
  return result
}

export function trimToProtocols(mirrors: MirrorUrls[], protocols: readonly string[], max: number): MirrorUrls[] {
  const wanted = new Set(protocols.map((protocol) => protocol.toLowerCase()))
  const trimmed: MirrorUrls[] = []
  for (const mirror of mirrors) {
    const kept: MirrorUrl[] = []
    for (const url of mirror.urls) {
      if (!wanted.has(url.source.scheme)) continue
      kept.push(url)
      if (kept.length >= max) break
    }
    if (kept.length > 0) trimmed.push({ host: mirror.host, urls: kept })
  }
  return trimmed.length > 0 ? trimmed : mirrors
}

/** How many of these hosts remain after protocol trimming (all of them when nothing matches). */
export function countAfterProtocolFilter(
  hosts: readonly IndexedHost[],
  directory: IndexedDirectory,
  protocols: readonly string[] | undefined,
): number {
  if (!protocols) return hosts.length
  const wanted = new Set(protocols.map((protocol) => protocol.toLowerCase()))
  let matching = 0
  for (const host of hosts) {
    const sources = directory.category.urlsByHost[host.index] ?? []
    if (sources.some((source) => wanted.has(source.scheme))) matching++
  }
  return matching > 0 ? matching : hosts.length
}
