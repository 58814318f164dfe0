/**
 * The plain-text mirror list and the redirect answer (MirrorManager2's exact bytes).
 * Without protocol=, each host contributes its first https, http or ftp URL; with it,
 * the URLs protocol= kept. Body: header line, `\n`, one URL per line, each ending `\n`.
 */
import { ChunkList, utf8Length, writeUtf8, type Allocate } from './body.js'
import type { TargetLines } from './host-lines.js'
import type { MirrorUrls } from './mirror-urls.js'
import { trimToProtocols } from './mirror-urls.js'
import type { FileDetailEntry } from '../snapshot/schema.js'

/**
 * The common mirror list (no protocol=): each selected host's first https, http or ftp
 * URL, one per line, from `lines` (kind 'plain', the view the selection used). Undefined
 * when no host has such a URL: then every URL is listed (renderEveryUrl).
 *
 * Speed: the answer is sized first and written into one buffer: the header line encoded
 * in place, then each host's line copied from the target's arena by host index.
 */
export function renderMirrorlist(headerLine: string, hostOrder: readonly number[], lines: TargetLines, allocate: Allocate = Buffer.allocUnsafe): Buffer | undefined {
  lines.renderLines(hostOrder)
  const hostLines = lines.lines
  let bodyBytes = 0
  for (let h = 0; h < hostOrder.length; h++) bodyBytes += hostLines[hostOrder[h]!]?.length ?? 0
  if (bodyBytes === 0) return undefined
  const headerBytes = utf8Length(headerLine)
  const out = allocate(headerBytes + 1 + bodyBytes)
  let offset = writeUtf8(out, headerLine, 0, headerBytes)
  out[offset++] = 0x0a // \n
  for (let h = 0; h < hostOrder.length; h++) {
    const line = hostLines[hostOrder[h]!]
    if (!line) continue
    out.set(line, offset)
    offset += line.length
  }
  return out
}

/** The mirror list with every URL of the hosts (protocol= given, or no host has a plain URL): one per line. */
export function renderEveryUrl(headerLine: string, mirrors: readonly MirrorUrls[], suffix: string): Buffer {
  const body = new ChunkList().text(`${headerLine}\n`)
  const lineEnd = Buffer.from(`${suffix}\n`)
  for (const mirror of mirrors) {
    for (const url of mirror.urls) body.bytes(url.urlBytes).bytes(lineEnd)
  }
  return body.toBuffer()
}

/** redirect=: the first http(s) URL, or undefined (the caller answers 404 with an empty body). */
export function redirectTarget(mirrors: MirrorUrls[], suffix: string): string | undefined {
  for (const mirror of trimToProtocols(mirrors, ['https', 'http'], 1)) {
    for (const url of mirror.urls) {
      if (url.url.startsWith('http')) return url.url + suffix
    }
  }
  return undefined
}

/** Duplicates listed in Link headers beside a redirect (RFC 6249): enough for a retry, small enough for any client's header limit. */
export const REDIRECT_DUPLICATES = 10

/**
 * RFC 6249 headers of a redirect: `Link: <url>; rel=duplicate; pri=N; geo=cc` for the
 * next hosts (their first https, http or ftp URL; pri from 1 in answer order) and, when
 * the file's details are known, `Digest: SHA-256=<base64>` (RFC 3230, RFC 5843).
 */
export function redirectHeaders(mirrors: readonly MirrorUrls[], suffix: string, location: string, detail?: FileDetailEntry): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {}
  const links: string[] = []
  for (const mirror of mirrors) {
    if (links.length >= REDIRECT_DUPLICATES) break
    const url = mirror.plain ?? mirror.urls[0]!
    const full = url.url + suffix
    if (full === location) continue
    const geo = /^[A-Za-z]{2}$/.test(mirror.host.country) ? `; geo=${mirror.host.country.toLowerCase()}` : ''
    links.push(`<${encodeURI(decodeURISafe(full))}>; rel=duplicate; pri=${links.length + 1}${geo}`)
  }
  if (links.length > 0) headers.Link = links
  if (detail && /^[0-9a-f]{64}$/i.test(detail.sha256)) headers.Digest = `SHA-256=${Buffer.from(detail.sha256, 'hex').toString('base64')}`
  return headers
}

/** A URL's text with escapes undone (so encodeURI does not escape them twice); the text itself when malformed. */
function decodeURISafe(url: string): string {
  try {
    return decodeURI(url)
  } catch {
    return url
  }
}
