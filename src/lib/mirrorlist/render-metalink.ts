/**
 * Metalink 3.0 documents, byte for byte as the reference servers write them (spec:
 * "Metalink"): one space of indentation per level, the odd indentation of alternates,
 * preference from 100 down by one per host (never below 1), mm0:private for hosts that
 * are not public. The per-file part (`<file>` up to `<resources>`) is pre-rendered at
 * snapshot load (renderFilePrelude), so a request only renders the URL lines.
 */
import type { FileDetailEntry } from '../snapshot/schema.js'
import type { PreparedFile } from '../snapshot/index-types.js'
import type { MirrorUrls } from './mirror-urls.js'

export const METALINK_CONTENT_TYPE = 'application/metalink+xml'

const XML_SPECIAL = /[&<>"]/

/** Escapes text for XML; the common case (nothing to escape) is one regex test. */
export function escapeXml(text: string): string {
  if (!XML_SPECIAL.test(text)) return text
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

export function metalinkHeader(now: Date): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    `<metalink version="3.0" xmlns="http://www.metalinker.org/" type="dynamic" pubdate="${now.toUTCString()}"` +
    ' generator="mirrormanager" xmlns:mm0="http://fedorahosted.org/mirrormanager">\n'
  )
}

/** The failure document: header, then the message in a comment. */
export function metalinkFailure(now: Date, message: string): string {
  return `${metalinkHeader(now)}<!-- ${message}\n-->\n</metalink>\n`
}

function renderDetails(detail: FileDetailEntry, indent: string): string {
  let text = ''
  if (detail.timestamp !== 0) text += `${indent} <mm0:timestamp>${detail.timestamp}</mm0:timestamp>\n`
  if (detail.size !== 0) text += `${indent} <size>${detail.size}</size>\n`
  text += `${indent} <verification>\n`
  for (const [type, value] of [
    ['md5', detail.md5],
    ['sha1', detail.sha1],
    ['sha256', detail.sha256],
    ['sha512', detail.sha512],
  ] as const) {
    if (value !== '') text += `${indent}  <hash type="${type}">${escapeXml(value)}</hash>\n`
  }
  return `${text}${indent} </verification>\n`
}

/** `  <file name="...">` with the newest details and the alternates. */
export function renderFilePrelude(fileName: string, details: readonly FileDetailEntry[]): string {
  let text = `  <file name="${escapeXml(fileName)}">\n`
  text += renderDetails(details[0]!, '  ')
  if (details.length > 1) {
    text += '   <mm0:alternates>\n'
    for (const alternate of details.slice(1)) {
      text += `    <mm0:alternate>\n${renderDetails(alternate, '     ')}    </mm0:alternate>\n`
    }
    text += '   </mm0:alternates>\n'
  }
  return text
}

export function renderMetalink(now: Date, file: PreparedFile, mirrors: MirrorUrls[], suffix: string): string {
  let text = `${metalinkHeader(now)} <files>\n${file.metalinkPrelude}   <resources maxconnections="1">\n`
  // the host URL is escaped at load (in HostUrl.metalinkTail), the shared suffix once here
  const tail = `${escapeXml(suffix)}</url>\n`
  let preference = 100
  for (const mirror of mirrors) {
    for (const url of mirror.urls) {
      text += `${url.metalinkHead}${preference}${url.metalinkTail}${tail}`
    }
    preference = Math.max(preference - 1, 1)
  }
  return `${text}   </resources>\n  </file>\n </files>\n</metalink>\n`
}
