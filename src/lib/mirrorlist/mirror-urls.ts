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
import type { HostUrl, IndexedCategory, IndexedDirectory, IndexedHost } from './index/index-types.js'

export interface MirrorUrls {
  readonly host: IndexedHost
  /** the host's URLs for the directory's category (after protocol trimming) */
  readonly urls: readonly HostUrl[]
  /** the host's first https, http or ftp URL (what a plain mirror list shows), if any */
  readonly plain?: HostUrl
}

/**
 * What follows the host category URL: `/<subpath>/` for a directory, `/<subpath>/<file>` for a file.
 * Speed: the last suffix of each directory is kept (a directory is asked for with one
 * file nearly always: itself, or repomd.xml), so an answer neither builds the string
 * nor hashes a new one when it looks its lines up by suffix (host-lines.ts).
 */
export function urlSuffix(directory: IndexedDirectory, file: string, pathIsDirectory: boolean): string {
  const memo = directory.suffixMemo
  if (memo !== undefined && memo.file === file && memo.pathIsDirectory === pathIsDirectory) return memo.suffix
  let suffix = directory.subpath === '' ? '' : `/${directory.subpath}`
  if (file !== '') suffix += `/${file}`
  else if (pathIsDirectory) suffix += '/'
  directory.suffixMemo = { file, pathIsDirectory, suffix }
  return suffix
}

/**
 * Speed: the MirrorUrls of a (category, host) never change for a loaded index, so each is
 * made once, on first use, and shared by every answer (never mutated): an answer of 150
 * hosts allocates one array instead of 150 objects.
 */
const sharedMirrors = new WeakMap<IndexedCategory, (MirrorUrls | null)[][]>()

/** Slot 0: all URLs; 4 and 6: the family views (IndexedCategory.familyViews). */
function sharedMirrorsOf(category: IndexedCategory, slot: 0 | 4 | 6): (MirrorUrls | null)[] {
  let shared = sharedMirrors.get(category)
  if (!shared) sharedMirrors.set(category, (shared = []))
  return (shared[slot] ??= [])
}

/** The URLs of a category a client gets: all of them, or the view of its family when the family filter applies. */
export function urlView(category: IndexedCategory, family: 4 | 6 | undefined): Pick<IndexedCategory, 'urlsByHost' | 'plainUrlByHost'> {
  return family && category.familyViews ? category.familyViews[family] : category
}

/**
 * Selected hosts (indexes in `hosts`, the index's host list) -> their URLs (of the
 * family's view when `family` is given); hosts without a URL are dropped.
 */
export function mirrorUrls(directory: IndexedDirectory, hosts: readonly IndexedHost[], hostIndexes: readonly number[], family?: 4 | 6): MirrorUrls[] {
  const category = directory.category
  const view = urlView(category, family)
  const shared = sharedMirrorsOf(category, view === category ? 0 : family!)
  const result: MirrorUrls[] = []
  for (let h = 0; h < hostIndexes.length; h++) {
    const hostIndex = hostIndexes[h]!
    let mirror = shared[hostIndex]
    if (mirror === undefined) {
      const urls = view.urlsByHost[hostIndex]
      mirror = urls && urls.length > 0 ? { host: hosts[hostIndex]!, urls, plain: view.plainUrlByHost[hostIndex] } : null
      shared[hostIndex] = mirror
    }
    if (mirror) result.push(mirror)
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
  hostIndexes: readonly number[],
  directory: IndexedDirectory,
  protocols: readonly string[] | undefined,
  family?: 4 | 6,
): number {
  if (!protocols) return hostIndexes.length
  const wanted = new Set(protocols.map((protocol) => protocol.toLowerCase()))
  const view = urlView(directory.category, family)
  let matching = 0
  for (const hostIndex of hostIndexes) {
    const urls = view.urlsByHost[hostIndex] ?? []
    if (urls.some((url) => wanted.has(url.scheme))) matching++
  }
  return matching > 0 ? matching : hostIndexes.length
}
