/**
 * Metalink 4 (RFC 5854) documents: the same selection as the Metalink 3 answer, for
 * download tools that speak the IETF format (aria2, wget2, libmetalink). Asked for with
 * `/metalink4?...` or `Accept: application/metalink4+xml` on `/metalink`.
 *
 * - `<url location="se" priority="N">`: N is the host's position in the answer (1 first;
 *   every URL of a host shares it), location its country in lower case (omitted when it
 *   is not a two-letter code, as the schema requires).
 * - hashes use the IANA names of RFC 5854 section 4.2.4 (md5, sha-1, sha-256, sha-512).
 * - older file details (dnf's alternates) are kept in the same foreign-namespace
 *   extension as Metalink 3's `mm0:alternates`; RFC 5854 section 6 allows foreign
 *   elements in `<file>`, and a client that does not know them ignores them.
 *
 * Not dnf's format: rendered per request from strings (no pre-rendered blocks).
 */
import type { FileDetailEntry } from '../snapshot/schema.js'
import type { PreparedFile } from './index/index-types.js'
import type { MirrorUrls } from './mirror-urls.js'
import { escapeXml } from './xml.js'

export const METALINK4_CONTENT_TYPE = 'application/metalink4+xml'

function open(now: Date): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<metalink xmlns="urn:ietf:params:xml:ns:metalink" xmlns:mm0="http://fedorahosted.org/mirrormanager">\n' +
    ' <generator>mirrormanager</generator>\n' +
    ` <published>${now.toISOString().replace(/\.\d{3}Z$/, 'Z')}</published>\n`
  )
}

const HASHES = [
  ['md5', 'md5'],
  ['sha1', 'sha-1'],
  ['sha256', 'sha-256'],
  ['sha512', 'sha-512'],
] as const

/** A file detail's elements; `prefix` is '' for the main entry, 'mm0:' inside the alternates extension. */
function details(detail: FileDetailEntry, indent: string, prefix: '' | 'mm0:'): string {
  let text = ''
  if (detail.timestamp !== 0) text += `${indent}<mm0:timestamp>${detail.timestamp}</mm0:timestamp>\n`
  if (detail.size !== 0) text += `${indent}<${prefix}size>${detail.size}</${prefix}size>\n`
  for (const [field, name] of HASHES) {
    const value = detail[field]
    if (value !== '') text += `${indent}<${prefix}hash type="${name}">${escapeXml(value)}</${prefix}hash>\n`
  }
  return text
}

const COUNTRY = /^[A-Za-z]{2}$/

/** The Metalink 4 document for `file` (its details newest first) and `mirrors` in answer order. */
export function renderMetalink4(now: Date, fileName: string, file: PreparedFile, mirrors: readonly MirrorUrls[], suffix: string): string {
  let text = `${open(now)} <file name="${escapeXml(fileName)}">\n`
  text += details(file.details[0]!, '  ', '')
  if (file.details.length > 1) {
    text += '  <mm0:alternates>\n'
    for (const alternate of file.details.slice(1)) text += `   <mm0:alternate>\n${details(alternate, '    ', 'mm0:')}   </mm0:alternate>\n`
    text += '  </mm0:alternates>\n'
  }
  const escapedSuffix = escapeXml(suffix)
  for (let m = 0; m < mirrors.length; m++) {
    const mirror = mirrors[m]!
    const location = COUNTRY.test(mirror.host.country) ? ` location="${mirror.host.country.toLowerCase()}"` : ''
    // priority is 1..999999 (RFC 5854 section 4.2.16.2)
    const priority = Math.min(m + 1, 999999)
    for (const url of mirror.urls) text += `  <url${location} priority="${priority}">${escapeXml(url.url)}${escapedSuffix}</url>\n`
  }
  return `${text} </file>\n</metalink>\n`
}

/** A failure: the document opening and the message in a comment (a Metalink 4 document without <file> is no download). */
export function metalink4Failure(now: Date, message: string): string {
  return `${open(now)} <!-- ${message.replace(/--/g, '- -')} -->\n</metalink>\n`
}
