/**
 * The global netblocks file: one `<cidr> <asn>` pair per line (as made from a BGP table
 * dump, ~900,000 lines), used to find a client's ASN by longest prefix. Blank lines and
 * `#` comments are ignored; a malformed line is skipped and counted, never fatal.
 *
 * For speed the file is scanned as bytes (no split('\n') into a 900,000-element array, no
 * string or regex per line), and the prefixes go into the compact PrefixTable (sorted
 * typed arrays).
 */
import { readFile, stat } from 'node:fs/promises'
import { ConfigError } from '../errors.js'
import { parseCidr } from './cidr.js'
import { readCompactNetblocks, writeCompactNetblocks, type CompactNetblocks, type SourceStamp } from './compact-netblocks.js'
import { PrefixTable } from './prefix-table.js'
import type { ParsedIp } from './ip.js'

export interface GlobalNetblocks {
  /** an address parsed already (the server's hot path), or its text */
  asnOf(ip: ParsedIp | string): number | undefined
  entries: number
  skippedLines: number
  /** read from the compact copy another worker wrote (LoadGlobalNetblocksOptions) */
  fromCompactCopy?: boolean
}

const isBlank = (code: number) => code === 32 || code === 9 || code === 13

/**
 * The one reader of the table's line grammar, over bytes (latin1: one byte per
 * character): for each line with a prefix word and a valid ASN, calls `line(first, gap,
 * asn)` — the prefix is bytes[first..gap) — which returns false when it cannot use that
 * prefix. Returns how many lines were malformed (blank lines and comments are not).
 */
function scanLines(bytes: Uint8Array, line: (first: number, gap: number, asn: number) => boolean): number {
  let skipped = 0
  const length = bytes.length
  let start = 0
  while (start < length) {
    let end = bytes.indexOf(10 /* \n */, start)
    if (end < 0) end = length
    let first = start
    let last = end
    start = end + 1
    while (first < last && isBlank(bytes[first]!)) first++
    while (last > first && isBlank(bytes[last - 1]!)) last--
    if (first === last || bytes[first] === 35 /* # */) continue
    let gap = first
    while (gap < last && !isBlank(bytes[gap]!)) gap++
    let asnStart = gap
    while (asnStart < last && isBlank(bytes[asnStart]!)) asnStart++
    const asn = asnStart === gap ? -1 : parseAsn(bytes, asnStart, last)
    if (asn < 0 || !line(first, gap, asn)) skipped++
  }
  return skipped
}

const latin1 = (bytes: Uint8Array, first: number, end: number) => Buffer.from(bytes.buffer, bytes.byteOffset + first, end - first).toString('latin1')

/** Calls `add` for every well-formed line; returns how many lines were malformed. */
export function scanGlobalNetblocks(text: string, add: (cidr: string, asn: number) => boolean): number {
  const bytes = Buffer.from(text, 'latin1')
  return scanLines(bytes, (first, gap, asn) => add(latin1(bytes, first, gap), asn))
}

/**
 * `a.b.c.d/n` (or a bare `a.b.c.d`) in bytes[first..end): the network address with the
 * prefix length in `prefixLength`, or -1 for anything else — which the caller then hands
 * to parseCidr as text, so this fast path only ever accepts what parseCidr accepts, with
 * the same result (no leading zeros, octets <= 255, length <= 32, host bits cleared).
 */
function parseIpv4CidrBytes(bytes: Uint8Array, first: number, end: number, out: { prefixLength: number }): number {
  let address = 0
  let octet = 0
  let digits = 0
  let dots = 0
  let i = first
  for (; i < end; i++) {
    const code = bytes[i]!
    if (code === 46 /* . */) {
      if (digits === 0 || dots === 3) return -1
      address = address * 256 + octet
      octet = 0
      digits = 0
      dots++
    } else if (code >= 48 && code <= 57) {
      if (digits > 0 && octet === 0) return -1 // leading zero
      octet = octet * 10 + (code - 48)
      digits++
      if (octet > 255) return -1
    } else {
      break
    }
  }
  if (dots !== 3 || digits === 0) return -1
  address = address * 256 + octet
  let prefixLength = 32
  if (i < end) {
    if (bytes[i] !== 47 /* / */ || end - i < 2 || end - i > 4) return -1
    prefixLength = 0
    for (i++; i < end; i++) {
      const digit = bytes[i]! - 48
      if (digit < 0 || digit > 9) return -1
      prefixLength = prefixLength * 10 + digit
    }
    if (prefixLength > 32) return -1
  }
  out.prefixLength = prefixLength
  return prefixLength === 0 ? 0 : (address & (0xffffffff << (32 - prefixLength))) >>> 0
}

/** The ASN of `AS64500` or `64500` in bytes[start..end), or -1. No regex: 900,000 lines. */
function parseAsn(bytes: Uint8Array, start: number, end: number): number {
  if (end - start > 2 && (bytes[start]! | 0x20) === 0x61 /* a */ && (bytes[start + 1]! | 0x20) === 0x73 /* s */) start += 2
  if (start === end || end - start > 10) return -1
  let asn = 0
  for (let i = start; i < end; i++) {
    const digit = bytes[i]! - 48
    if (digit < 0 || digit > 9) return -1
    asn = asn * 10 + digit
  }
  return asn > 0xffffffff ? -1 : asn
}

/**
 * The table from the file's bytes. Speed (the serve-mirrorlist primary parses ~900,000
 * lines at start): the bytes are scanned in place (scanLines, the same reader as
 * scanGlobalNetblocks), an IPv4 line (nearly all of them) goes into the table without a
 * string, and other lines (IPv6, netmask forms) take parseCidr.
 */
export function globalNetblocksFromBytes(bytes: Uint8Array): GlobalNetblocks {
  return served(parseGlobalNetblocks(bytes))
}

function served({ table, entries, skippedLines }: CompactNetblocks): GlobalNetblocks {
  return { asnOf: (ip) => table.lookup(ip), entries, skippedLines }
}

function parseGlobalNetblocks(bytes: Uint8Array): CompactNetblocks {
  const table = new PrefixTable<number>()
  const parsed = { prefixLength: 0 }
  let entries = 0
  const skippedLines = scanLines(bytes, (first, gap, asn) => {
    const address = parseIpv4CidrBytes(bytes, first, gap, parsed)
    if (address >= 0) {
      table.addIpv4(address, parsed.prefixLength, asn)
    } else {
      const cidr = parseCidr(latin1(bytes, first, gap))
      if (!cidr) return false
      table.add(cidr, asn)
    }
    entries++
    return true
  })
  table.build()
  return { table, entries, skippedLines }
}

export function globalNetblocksFromText(text: string): GlobalNetblocks {
  return globalNetblocksFromBytes(Buffer.from(text, 'latin1'))
}

export interface LoadGlobalNetblocksOptions {
  /**
   * A compact binary copy of the parsed table (compact-netblocks.ts): read instead of the
   * text when it stands for the file as it is now, else written after parsing. Failing to
   * write it costs the next reader a parse, never this load.
   */
  compactCopy?: string
  warn?: (message: string) => void
}

async function sameStamp(file: string, source: SourceStamp): Promise<boolean> {
  const now = await stat(file).catch(() => undefined)
  return now !== undefined && now.size === source.size && now.mtimeMs === source.mtimeMs
}

export async function loadGlobalNetblocks(file: string, options: LoadGlobalNetblocksOptions = {}): Promise<GlobalNetblocks> {
  let bytes: Buffer
  let source: SourceStamp
  try {
    const stats = await stat(file)
    source = { size: stats.size, mtimeMs: stats.mtimeMs }
    if (options.compactCopy) {
      const copy = await readCompactNetblocks(options.compactCopy, source)
      if (copy) return { ...served(copy), fromCompactCopy: true }
    }
    bytes = await readFile(file)
  } catch (error) {
    throw new ConfigError(`global netblocks file ${file}: ${(error as Error).message}`, { key: 'mirrorlist.global_netblocks', cause: error })
  }
  const parsed = parseGlobalNetblocks(bytes)
  // not when the file changed while it was read: a copy stamped with the old size and mtime would lie
  if (options.compactCopy && (await sameStamp(file, source))) {
    await writeCompactNetblocks(options.compactCopy, source, parsed).catch((error: Error) =>
      options.warn?.(`cannot keep a compact copy of the global netblocks in ${options.compactCopy}: ${error.message}`),
    )
  }
  return served(parsed)
}
