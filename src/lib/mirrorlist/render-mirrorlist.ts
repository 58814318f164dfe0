/**
 * The plain-text mirror list and the redirect answer (spec: "Plain mirror list").
 * Without protocol=, each host contributes its first https, http or ftp URL; with it,
 * the URLs protocol= kept. Body: header line, `\n`, one URL per line, each ending `\n`.
 */
import type { MirrorUrls } from './mirror-urls.js'
import { trimToProtocols } from './mirror-urls.js'

export function renderMirrorlist(headerLine: string, mirrors: MirrorUrls[], suffix: string, protocolGiven: boolean): string {
  let body = `${headerLine}\n`
  // without protocol=: each host's first https/http/ftp URL (pre-computed at load);
  // when no host has one, every URL as it is (the reference's fallback)
  const plainOnly = !protocolGiven && mirrors.some((mirror) => mirror.plain)
  for (const mirror of mirrors) {
    if (plainOnly) {
      if (mirror.plain) body += `${mirror.plain.url}${suffix}\n`
      continue
    }
    for (const url of mirror.urls) body += `${url.url}${suffix}\n`
  }
  return body
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
