/**
 * The plain-text mirror list and the redirect answer (spec: "Plain mirror list").
 * Without protocol=, each host contributes its first https, http or ftp URL; with it,
 * the URLs protocol= kept. Body: header line, `\n`, one URL per line, each ending `\n`.
 */
import { ChunkList } from './body.js'
import type { TargetLines } from './host-lines.js'
import type { MirrorUrls } from './mirror-urls.js'
import { trimToProtocols } from './mirror-urls.js'

/**
 * `lines` (kind 'plain') holds each host's line for this target. Without protocol=, each
 * host's first https/http/ftp URL; when no host has one, or with protocol=, every URL
 * (after trimming) — rendered here, per URL.
 */
export function renderMirrorlist(headerLine: string, mirrors: readonly MirrorUrls[], lines: TargetLines, protocolGiven: boolean): Buffer {
  const body = new ChunkList().text(`${headerLine}\n`)
  const plainOnly = !protocolGiven && mirrors.some((mirror) => mirror.plain)
  if (plainOnly) {
    for (const mirror of mirrors) if (mirror.plain) body.bytes(lines.line(mirror.host)!)
    return body.toBuffer()
  }
  const lineEnd = Buffer.from(`${lines.suffix}\n`)
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
