import { CheckinRefusedError } from '../errors.js'

/**
 * Reads the identity of a check-in — the top-level `version`, `global`, `site` and `host`
 * sections — from the decompressed JSON as it streams, without building anything else.
 * Everything outside those sections (the dirtrees, megabytes of them) is only tokenised:
 * memory stays at the captured sections plus one scalar, whatever the payload's size.
 *
 * The existing Python 3 client sends `version`, `global`, `site`, `host` first (a dict
 * literal in insertion order), so the scan is over after a few hundred bytes and the
 * decompressor is stopped. Python 2 clients (2016-2019) emitted dict keys in hash order,
 * so the identity may come after a category: then the whole stream is scanned — still in
 * constant memory, and off the main thread (decode-worker.ts).
 */
export const IDENTITY_SECTIONS = new Set(['version', 'global', 'site', 'host'])

/** Bytes of captured JSON text at most (the identity sections are a few hundred bytes). */
const CAPTURE_BUDGET = 64 * 1024
const MAX_KEY_BYTES = 64

type Frame = { kind: 'object' | 'array'; capture: boolean; expect: 'key' | 'colon' | 'value' | 'comma'; key?: string }

const malformed = (): never => {
  throw new CheckinRefusedError('The check-in data is not valid JSON.', { reason: 'malformed' })
}

export const PICKLE_REFUSAL =
  'Pickled check-in data is no longer accepted (it is unsafe to load). Please update report_mirror to a version that sends JSON.'

export interface IdentityScanResult {
  /** The captured top-level sections (a plain object), or the root when it is not an object. */
  readonly skeleton: unknown
  /** All four identity sections were seen (the scan stopped early, or the document ended). */
  readonly complete: boolean
}

export class IdentityScanner {
  private readonly stack: Frame[] = []
  private root: unknown = undefined
  private rootSeen = false
  private skeleton: Record<string, unknown> = {}
  private captured = 0
  private seen = new Set<string>()
  private offset = 0
  private scalar: number[] | undefined // bytes of the scalar or string being read
  private inString = false
  private escape = false
  private keepScalar = false
  private done = false

  /** Feeds the next chunk; returns the result once the identity (or the document) is complete. */
  feed(chunk: Uint8Array): IdentityScanResult | undefined {
    for (let i = 0; i < chunk.length; i++) {
      if (this.inString && !this.keepScalar && !this.escape) {
        // A skipped string (the dirtree keys, millions of them): a tight loop to its
        // closing quote or next backslash, outside the state machine. This is what makes the scan fast.
        let j = i
        while (j < chunk.length && chunk[j] !== 0x22 && chunk[j] !== 0x5c) j++
        this.offset += j - i
        i = j
        if (j === chunk.length) break
      }
      if (this.done) {
        if (!isSpace(chunk[i])) malformed()
        continue
      }
      // Pickles (protocol 2+: PROTO 0x80; 0 and 1: MARK, EMPTY_DICT, EMPTY_LIST) cannot
      // start a JSON text; we only ever look at the bytes, never unpickle.
      if (this.offset++ === 0 && (chunk[i] === 0x80 || chunk[i] === 0x28 || chunk[i] === 0x7d || chunk[i] === 0x5d)) {
        throw new CheckinRefusedError(PICKLE_REFUSAL, { reason: 'pickle' })
      }
      const result = this.step(chunk[i])
      if (result) return result
    }
    return undefined
  }

  /** The end of the stream: the document must be complete. */
  end(): IdentityScanResult {
    if (this.scalar && !this.inString) this.finishScalar()
    if (this.rootSeen) return { skeleton: this.root, complete: false }
    if (!this.done) malformed()
    return { skeleton: this.rootSeen ? this.root : this.skeleton, complete: this.seen.size === IDENTITY_SECTIONS.size }
  }

  private step(byte: number): IdentityScanResult | undefined {
    if (this.inString) return this.stringByte(byte)
    if (this.scalar) {
      if (isScalarByte(byte)) {
        if (this.scalar.length > 64) malformed()
        this.scalar.push(byte)
        return undefined
      }
      const result = this.finishScalar()
      if (result) return result
    }
    if (isSpace(byte)) return undefined
    const frame = this.stack[this.stack.length - 1]
    if (!frame) return this.value(byte, false)
    if (frame.kind === 'object') {
      switch (frame.expect) {
        case 'key':
          if (byte === 0x7d && frame.key === undefined) return this.close() // {} or trailing position after '{'
          if (byte !== 0x22) malformed()
          return this.startString(frame.capture || this.stack.length === 1)
        case 'colon':
          if (byte !== 0x3a) malformed()
          frame.expect = 'value'
          return undefined
        case 'value':
          return this.value(byte, frame.capture || (this.stack.length === 1 && IDENTITY_SECTIONS.has(frame.key!)))
        case 'comma':
          if (byte === 0x7d) return this.close()
          if (byte !== 0x2c) malformed()
          frame.expect = 'key'
          frame.key = ''
          return undefined
      }
    }
    if (frame.expect === 'comma') {
      if (byte === 0x5d) return this.close()
      if (byte !== 0x2c) malformed()
      frame.expect = 'value'
      return undefined
    }
    if (byte === 0x5d && frame.key === undefined) return this.close()
    frame.key = ''
    return this.value(byte, frame.capture)
  }

  private value(byte: number, capture: boolean): IdentityScanResult | undefined {
    const frame = this.stack[this.stack.length - 1]
    if (frame?.kind === 'array') frame.key = ''
    if (byte === 0x7b || byte === 0x5b) {
      if (!frame && byte === 0x5b) return this.nonObjectRoot([])
      if (this.stack.length > 64) malformed() // no JSON we accept nests this deep
      if (frame) frame.expect = 'comma'
      this.stack.push({ kind: byte === 0x7b ? 'object' : 'array', capture, expect: byte === 0x7b ? 'key' : 'value' })
      if (capture) this.spend(1)
      return undefined
    }
    if (byte === 0x22) return this.startString(capture || !frame)
    if (!isScalarByte(byte)) malformed()
    this.keepScalar = capture || !frame
    this.scalar = [byte]
    return undefined
  }

  /** `keep`: the key is read (top-level keys, keys inside an identity section). */
  private startString(keep: boolean): undefined {
    this.inString = true
    this.escape = false
    this.scalar = [0x22]
    this.keepScalar = keep
    return undefined
  }

  private stringByte(byte: number): IdentityScanResult | undefined {
    const keep = this.keepScalar
    if (keep) {
      this.scalar!.push(byte)
      const frame = this.stack[this.stack.length - 1]
      const isTopKey = frame?.kind === 'object' && frame.expect === 'key' && this.stack.length === 1
      if (isTopKey && this.scalar!.length > MAX_KEY_BYTES) this.keepScalar = false // a long key is no identity section
      else if (!isTopKey) this.spend(1)
    }
    if (this.escape) {
      this.escape = false
      return undefined
    }
    if (byte === 0x5c) this.escape = true
    else if (byte === 0x22) {
      this.inString = false
      return this.finishString(keep)
    }
    return undefined
  }

  private finishString(kept: boolean): IdentityScanResult | undefined {
    const frame = this.stack[this.stack.length - 1]
    const bytes = this.scalar!
    this.scalar = undefined
    if (frame?.kind === 'object' && frame.expect === 'key') {
      frame.key = kept ? (decodeJson(bytes) as string) : '' // a skipped or over-long key is no identity section
      frame.expect = 'colon'
      return undefined
    }
    return this.complete(kept ? decodeJson(bytes) : undefined)
  }

  private finishScalar(): IdentityScanResult | undefined {
    const bytes = this.scalar!
    this.scalar = undefined
    const value = decodeJson(bytes) // validates skipped numbers and literals too
    if (this.keepScalar && this.stack.length > 0) this.spend(bytes.length)
    return this.complete(this.keepScalar ? value : undefined)
  }

  /** A value (scalar or closed container) is complete: store it where it is captured. */
  private complete(value: unknown): IdentityScanResult | undefined {
    const frame = this.stack[this.stack.length - 1]
    if (!frame) return this.nonObjectRoot(value)
    frame.expect = 'comma'
    if (frame.capture) this.attach(frame, value)
    else if (this.stack.length === 1 && IDENTITY_SECTIONS.has(frame.key!)) return this.section(frame.key!, value)
    return undefined
  }

  private close(): IdentityScanResult | undefined {
    const frame = this.stack.pop()!
    const value = frame.capture ? (frame as Frame & { value?: unknown }).value ?? (frame.kind === 'object' ? {} : []) : undefined
    if (this.stack.length === 0) {
      this.done = true
      return this.seen.size === IDENTITY_SECTIONS.size ? { skeleton: this.skeleton, complete: true } : undefined
    }
    return this.complete(value)
  }

  private attach(frame: Frame, value: unknown): void {
    const holder = frame as Frame & { value?: Record<string, unknown> | unknown[] }
    if (frame.kind === 'array') ((holder.value ??= []) as unknown[]).push(value)
    else ((holder.value ??= {}) as Record<string, unknown>)[frame.key!] = value
  }

  private section(key: string, value: unknown): IdentityScanResult | undefined {
    this.skeleton[key] = value
    this.seen.add(key)
    // All four seen: the rest of the stream is the dirtrees, which the identity does not need.
    return this.seen.size === IDENTITY_SECTIONS.size ? { skeleton: this.skeleton, complete: true } : undefined
  }

  private nonObjectRoot(value: unknown): IdentityScanResult {
    this.rootSeen = true
    this.root = value
    return { skeleton: value, complete: false }
  }

  private spend(bytes: number): void {
    this.captured += bytes
    if (this.captured > CAPTURE_BUDGET) {
      throw new CheckinRefusedError(`The [global], [site] and [host] sections of the check-in are larger than ${CAPTURE_BUDGET} bytes.`, {
        reason: 'too-large',
      })
    }
  }
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09
}

/** Bytes of a number or literal (true, false, null). */
function isScalarByte(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x2d || byte === 0x2b || byte === 0x2e || byte === 0x45
}

const UTF8 = new TextDecoder('utf-8', { fatal: true })

/** One JSON scalar from its bytes: strict UTF-8, then JSON's own grammar. */
function decodeJson(bytes: number[]): unknown {
  let text: string
  try {
    text = UTF8.decode(Uint8Array.from(bytes))
  } catch {
    throw new CheckinRefusedError('The check-in data is not UTF-8 text.', { reason: 'malformed' })
  }
  try {
    return JSON.parse(text) as unknown
  } catch {
    return malformed()
  }
}
