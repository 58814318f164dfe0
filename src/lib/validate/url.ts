import { ValidationError } from '../errors.js'
import { LIMITS, limitText } from './text.js'

const MIRROR_SCHEMES = new Set(['http:', 'https:', 'ftp:', 'rsync:'])

/**
 * A mirror URL as stored in host_category_url: http, https, ftp or rsync, with a host,
 * no query or fragment, and no trailing slash (clients append the path themselves).
 */
export function normalizeMirrorUrl(input: string, field = 'url'): string {
  const text = limitText(input.trim(), field, LIMITS.url)
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new ValidationError(`${field}: "${input}" is not a URL; write it like https://mirror.example.org/pub/fedora`, { field })
  }
  if (!MIRROR_SCHEMES.has(url.protocol)) {
    throw new ValidationError(
      `${field}: scheme "${url.protocol.slice(0, -1)}" is not allowed in "${input}"; use http, https, ftp or rsync`,
      { field },
    )
  }
  if (!url.hostname) throw new ValidationError(`${field}: "${input}" has no host name`, { field })
  if (url.search || url.hash) {
    throw new ValidationError(`${field}: "${input}" has a query or fragment; give the plain directory URL`, { field })
  }
  // Keep the text as typed (no percent-encoding surprises); only the trailing slashes go.
  return text.replace(/\/+$/, '')
}

/** A plain http(s) URL (a site's organisation page, a category's canonical host). */
export function normalizeWebUrl(input: string, field = 'url'): string {
  const url = normalizeMirrorUrl(input, field)
  if (!/^https?:/i.test(url)) throw new ValidationError(`${field}: "${input}" must be an http or https URL`, { field })
  return url
}
