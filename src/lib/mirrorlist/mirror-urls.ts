/**
 * From selected hosts to the URLs an answer lists, and the protocol trimming rules of
 * the reference: keep, per host, at most `max` URLs whose scheme is wanted (in the
 * host's URL order); drop hosts left without one; and if that would leave nothing at
 * all, keep the list as it was.
 *
 * Speed: a selected host keeps references to its pre-rendered HostUrls, and the part
 * every URL of the answer shares (`/<subpath>/` or `/<subpath>/<file>`) is kept once;
 * full URL strings are only concatenated while rendering (no object per URL).
 */
import type { HostUrl, IndexedDirectory, IndexedHost } from '../snapshot/index-types.js'

export interface MirrorUrls {
  host: IndexedHost
  /** the host's URLs for the directory's category (after protocol trimming) */
  urls: readonly HostUrl[]
  /** the host's first https, http or ftp URL (what a plain mirror list shows), if any */
  plain?: HostUrl
}

/** What follows the host category URL: `/<subpath>/` for a directory, `/<subpath>/<file>` for a file. */
export function urlSuffix(directory: IndexedDirectory, file: string, pathIsDirectory: boolean): string {
  let suffix = directory.subpath === '' ? '' : `/${directory.subpath}`
  if (file !== '') suffix += `/${file}`
  else if (pathIsDirectory) suffix += '/'
  return suffix
}

export function mirrorUrls(directory: IndexedDirectory, hosts: readonly IndexedHost[]): MirrorUrls[] {
  const result: MirrorUrls[] = []
  for (const host of hosts) {
    const urls = directory.category.urlsByHost[host.index]
    if (urls && urls.length > 0) result.push({ host, urls, plain: directory.category.plainUrlByHost[host.index] })
  }
  return result
}

export function trimToProtocols(mirrors: MirrorUrls[], protocols: readonly string[], max: number): MirrorUrls[] {
  const wanted = new Set(protocols.map((protocol) => protocol.toLowerCase()))
  const trimmed: MirrorUrls[] = []
  for (const mirror of mirrors) {
    const kept: HostUrl[] = []
    for (const url of mirror.urls) {
      if (!wanted.has(url.scheme)) continue
      kept.push(url)
      if (kept.length >= max) break
    }
    if (kept.length > 0) trimmed.push(kept.length === mirror.urls.length ? mirror : { host: mirror.host, urls: kept })
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
    const urls = directory.category.urlsByHost[host.index] ?? []
    if (urls.some((url) => wanted.has(url.scheme))) matching++
  }
  return matching > 0 ? matching : hosts.length
}
