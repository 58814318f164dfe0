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
 *
 * Speed: the common answer is sized first and written into one buffer (the header line
 * encoded in place, each host's cached line copied once): no chunk list, no concat.
 */
export function renderMirrorlist(headerLine: string, mirrors: readonly MirrorUrls[], lines: TargetLines, protocolGiven: boolean): Buffer {
  if (!protocolGiven && hasPlainUrl(mirrors)) {
    const headerBytes = Buffer.byteLength(headerLine)
    let length = headerBytes + 1
    const plainUrlByHost = lines.directory.category.plainUrlByHost
    const hostLines = new Array<Buffer | undefined>(mirrors.length)
    for (let m = 0; m < mirrors.length; m++) {
      const mirror = mirrors[m]!
      if (!mirror.plain) continue
      // the cached line is the host's first plain URL; the family filter may have dropped it
      const line = mirror.plain === plainUrlByHost[mirror.host.index] ? lines.line(mirror.host)! : Buffer.from(`${mirror.plain.url}${lines.suffix}\n`)
      hostLines[m] = line
      length += line.length
    }
    const out = Buffer.allocUnsafe(length)
    let offset = out.write(headerLine, 0)
    out[offset++] = 0x0a // \n
    for (let m = 0; m < mirrors.length; m++) {
      const line = hostLines[m]
      if (!line) continue
      out.set(line, offset)
      offset += line.length
    }
    return out
  }
  const body = new ChunkList().text(`${headerLine}\n`)
  const lineEnd = Buffer.from(`${lines.suffix}\n`)
  for (const mirror of mirrors) {
    for (const url of mirror.urls) body.bytes(url.urlBytes).bytes(lineEnd)
  }
  return body.toBuffer()
}

function hasPlainUrl(mirrors: readonly MirrorUrls[]): boolean {
  for (let m = 0; m < mirrors.length; m++) if (mirrors[m]!.plain) return true
  return false
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
