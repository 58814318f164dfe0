import { CheckinRefusedError } from '../errors.js'
import { bzip2Compress, bzip2Decompress, Bzip2Error } from './bzip2.js'

/**
 * The legacy wire form of a check-in payload, as report_mirror has sent it since 2009:
 * urlsafe-base64( bzip2( UTF-8 JSON ) ), with `=` padding (Python's urlsafe_b64encode).
 */
export interface WireLimits {
  /** Decompressed payload bytes at most (a bzip2 bomb stops here). */
  maxPayloadBytes: number
  timeoutMs?: number
}

/** Base64 of either alphabet, whitespace anywhere (Python wraps none, but MIME-style clients may). */
const URLSAFE_BASE64 = /^[A-Za-z0-9\-_+/\s]*(?:=\s*){0,2}$/

export async function encodeLegacyWire(json: string): Promise<string> {
  const compressed = await bzip2Compress(Buffer.from(json, 'utf8'))
  // Node's 'base64url' drops the padding; Python keeps it, and so do we.
  return compressed.toString('base64').replaceAll('+', '-').replaceAll('/', '_')
}

/** Characters of `text` that are not whitespace, counted without copying it. */
function significantLength(text: string): number {
  let length = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code !== 32 && code !== 10 && code !== 13 && code !== 9 && code !== 12 && code !== 11) length++
  }
  return length
}

/**
 * The bzip2 bytes inside the wire text; refuses what is not base64 or not bzip2.
 * For speed and memory (the text is megabytes for a big check-in): one regex test and
 * one decode of the text as it is — Node's base64 decoder reads both alphabets and skips
 * whitespace, so no stripped or translated copy of the text is ever made.
 */
export function legacyWireBytes(text: string): Buffer {
  if (!URLSAFE_BASE64.test(text) || significantLength(text) % 4 === 1) {
    throw new CheckinRefusedError('The check-in data is not urlsafe base64.', { reason: 'malformed' })
  }
  const compressed = Buffer.from(text, 'base64')
  if (compressed.subarray(0, 3).toString('latin1') !== 'BZh') {
    throw new CheckinRefusedError('The check-in data is not bzip2 compressed.', { reason: 'malformed' })
  }
  return compressed
}

/** Decompresses the whole payload (capped) and parses it. */
export async function decodeBzip2Payload(compressed: Uint8Array, limits: WireLimits): Promise<unknown> {
  let plain: Buffer
  try {
    plain = await bzip2Decompress(Buffer.from(compressed.buffer, compressed.byteOffset, compressed.byteLength), {
      maxOutputBytes: limits.maxPayloadBytes,
      timeoutMs: limits.timeoutMs,
    })
  } catch (error) {
    throw bzip2Refusal(error, limits.maxPayloadBytes)
  }
  return parsePayloadBytes(plain)
}

export function bzip2Refusal(error: unknown, cap: number): Error {
  if (!(error instanceof Bzip2Error)) return error as Error
  switch (error.kind) {
    case 'too-large':
      return new CheckinRefusedError(`The check-in data decompresses to more than ${cap} bytes.`, { reason: 'too-large' })
    case 'corrupt':
      return new CheckinRefusedError('The check-in data is not valid bzip2 (truncated or corrupt).', { reason: 'malformed' })
    case 'timeout':
      return new CheckinRefusedError('The check-in data took too long to decompress.', { reason: 'too-large' })
    default:
      return error // the server is broken (no bzip2 binary): an internal error, not the client's fault
  }
}

/**
 * A pickle, as very old clients sent: protocol 2+ starts with the PROTO opcode 0x80;
 * protocols 0 and 1 start with MARK/EMPTY_DICT/EMPTY_LIST and end with STOP ('.').
 * We only ever look at the bytes — never unpickle.
 */
export function looksLikePickle(data: Buffer): boolean {
  if (data.length === 0) return false
  if (data[0] === 0x80) return true
  const first = String.fromCharCode(data[0])
  return '(}]'.includes(first) && data[data.length - 1] === 0x2e
}

export function parsePayloadBytes(plain: Buffer): unknown {
  if (looksLikePickle(plain)) {
    throw new CheckinRefusedError(
      'Pickled check-in data is no longer accepted (it is unsafe to load). Please update report_mirror to a version that sends JSON.',
      { reason: 'pickle' },
    )
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(plain)
  } catch {
    throw new CheckinRefusedError('The check-in data is not UTF-8 text.', { reason: 'malformed' })
  }
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new CheckinRefusedError('The check-in data is not valid JSON.', { reason: 'malformed' })
  }
}
