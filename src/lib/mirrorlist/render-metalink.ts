/**
 * Metalink 3.0 documents, byte for byte as the reference servers (MirrorManager2's
 * Python and Rust mirrorlist servers) write them: one space of indentation per level,
 * the odd indentation of alternates, preference from 100 down by one per host (never
 * below 1), mm0:private for hosts that are not public. The per-file part (`<file>` up to
 * `<resources>`) is pre-rendered as bytes at snapshot load (renderFilePrelude), each
 * host's URL lines for the target on first use (host-lines.ts): a request sizes the
 * document, then copies segments and writes the preference numbers into one buffer
 * (from `allocate`: the HTTP layer lends a reused one, see body.ts Allocate).
 */
import type { FileDetailEntry } from '../snapshot/schema.js'
import type { PreparedFile } from './index/index-types.js'
import type { Allocate, Body } from './body.js'
import { metalinkBlock, type HostBlock, type TargetLines } from './host-lines.js'
import type { MirrorUrls } from './mirror-urls.js'
import { commentText } from './echo.js'
import { escapeXml } from './xml.js'

export const METALINK_CONTENT_TYPE = 'application/metalink+xml'

export function metalinkHeader(now: Date): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    `<metalink version="3.0" xmlns="http://www.metalinker.org/" type="dynamic" pubdate="${now.toUTCString()}"` +
    ' generator="mirrormanager" xmlns:mm0="http://fedorahosted.org/mirrormanager">\n'
  )
}

/**
 * The header as bytes, remembered for the second it names: the pubdate changes once a
 * second, and formatting plus encoding it cost more than the rest of the header.
 */
let headerSecond = Number.NaN
let headerBytes = Buffer.alloc(0)

function metalinkHeaderBytes(now: Date): Buffer {
  const second = Math.floor(now.getTime() / 1000)
  if (second !== headerSecond) {
    headerBytes = Buffer.from(metalinkHeader(now))
    headerSecond = second
  }
  return headerBytes
}

const FAILURE_END = '\n-->\n</metalink>\n'
const FAILURE_END_BYTES = Buffer.from(FAILURE_END)

/** The failure document: header, then the message (and the bytes of `listing`) in a comment. */
export function metalinkFailure(now: Date, message: string, listing?: Buffer): Body {
  if (!listing) return `${metalinkHeader(now)}<!-- ${commentText(message)}${FAILURE_END}`
  return [Buffer.from(`${metalinkHeader(now)}<!-- ${commentText(message)}`), listing, FAILURE_END_BYTES]
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

const FILES_OPEN = Buffer.from(' <files>\n')
const RESOURCES_OPEN = Buffer.from('   <resources maxconnections="1">\n')
const DOCUMENT_END = Buffer.from('   </resources>\n  </file>\n </files>\n</metalink>\n')

/** Digits of a preference (1..100). */
function widthOf(preference: number): number {
  return preference >= 100 ? 3 : preference >= 10 ? 2 : 1
}

const DIGIT_0 = 0x30
const DIGIT_1 = 0x31

/**
 * Writes `preference` (1..100, `width` digits) at `offset + bases[i] + i * width` for
 * every i: the preference positions of a block's template. Speed: the digits are worked
 * out once per host, not per URL, and stored without a loop per digit (these stores were
 * a quarter of the rendering once the body buffer was reused).
 */
function writePreferences(out: Buffer, offset: number, bases: Int32Array, preference: number, width: number): void {
  const count = bases.length
  if (width === 2) {
    const tens = DIGIT_0 + ((preference / 10) | 0)
    const ones = DIGIT_0 + (preference % 10)
    for (let i = 0; i < count; i++) {
      const at = offset + bases[i]! + i * 2
      out[at] = tens
      out[at + 1] = ones
    }
  } else if (width === 1) {
    const digit = DIGIT_0 + preference
    for (let i = 0; i < count; i++) out[offset + bases[i]! + i] = digit
  } else {
    // 100, the first host's
    for (let i = 0; i < count; i++) {
      const at = offset + bases[i]! + i * 3
      out[at] = DIGIT_1
      out[at + 1] = DIGIT_0
      out[at + 2] = DIGIT_0
    }
  }
}

function put(out: Buffer, offset: number, bytes: Buffer): number {
  out.set(bytes, offset)
  return offset + bytes.length
}

/**
 * The blocks of a metalink's hosts in answer order. Without protocol=, each host of the
 * selection's host order that has a URL here, from `lines` (by host index: no object per
 * host is read); with it, the hosts protocol= kept, a host whose URLs it trimmed with its
 * block rendered here.
 */
export function metalinkBlocks(hostOrder: readonly number[], mirrors: () => readonly MirrorUrls[], lines: TargetLines, protocolGiven: boolean): HostBlock[] {
  const blocks: HostBlock[] = []
  if (!protocolGiven) {
    for (let h = 0; h < hostOrder.length; h++) {
      const block = lines.blockAt(hostOrder[h]!)
      if (block) blocks.push(block)
    }
    return blocks
  }
  const urlsByHost = lines.view.urlsByHost
  for (const mirror of mirrors()) blocks.push(mirror.urls === urlsByHost[mirror.host.index] ? lines.blockAt(mirror.host.index)! : metalinkBlock(mirror.urls, lines.suffix))
  return blocks
}

/** The metalink of these host blocks (answer order: preference 100 for the first, then one less per host, never below 1). */
export function renderMetalink(now: Date, file: PreparedFile, blocks: readonly HostBlock[], allocate: Allocate = Buffer.allocUnsafe): Buffer {
  const header = metalinkHeaderBytes(now)
  let length = header.length + FILES_OPEN.length + file.metalinkPrelude.length + RESOURCES_OPEN.length + DOCUMENT_END.length
  let preference = 100
  for (let m = 0; m < blocks.length; m++) {
    const block = blocks[m]!
    length += block.bytes + block.preferences * widthOf(preference)
    preference = Math.max(preference - 1, 1)
  }
  const out = allocate(length)
  let offset = put(out, 0, header)
  offset = put(out, offset, FILES_OPEN)
  offset = put(out, offset, file.metalinkPrelude)
  offset = put(out, offset, RESOURCES_OPEN)
  preference = 100
  for (let m = 0; m < blocks.length; m++) {
    const block = blocks[m]!
    const width = widthOf(preference)
    const bases = block.bases
    out.set(block.template(width), offset)
    writePreferences(out, offset, bases, preference, width)
    offset += block.bytes + bases.length * width
    preference = Math.max(preference - 1, 1)
  }
  put(out, offset, DOCUMENT_END)
  return out
}
