/**
 * The global netblocks file: one `<cidr> <asn>` pair per line (as made from a BGP table
 * dump, ~900,000 lines), used to find a client's ASN by longest prefix. Blank lines and
 * `#` comments are ignored; a malformed line is skipped and counted, never fatal.
 *
 * For speed the file is scanned by character codes (no split('\n') into a 900,000-element
 * array, no regex per line), and the prefixes go into the compact PrefixTable (sorted
 * typed arrays).
 */
import { readFile } from 'node:fs/promises'
import { ConfigError } from '../errors.js'
import { parseCidr } from './cidr.js'
import { PrefixTable } from './prefix-table.js'
import type { ParsedIp } from './ip.js'

export interface GlobalNetblocks {
  /** an address parsed already (the server's hot path), or its text */
  asnOf(ip: ParsedIp | string): number | undefined
  entries: number
  skippedLines: number
}

/** The ASN of `AS64500` or `64500` between start and end, or -1. No regex: 900,000 lines. */
function parseAsn(line: string, start: number, end: number): number {
  if (end - start > 2 && (line.charCodeAt(start) | 0x20) === 0x61 /* a */ && (line.charCodeAt(start + 1) | 0x20) === 0x73 /* s */) start += 2
  if (start === end || end - start > 10) return -1
  let asn = 0
  for (let i = start; i < end; i++) {
    const digit = line.charCodeAt(i) - 48
    if (digit < 0 || digit > 9) return -1
    asn = asn * 10 + digit
  }
  return asn > 0xffffffff ? -1 : asn
}

const isBlank = (code: number) => code === 32 || code === 9 || code === 13

/** Calls `add` for every well-formed line; returns how many lines were malformed. */
export function scanGlobalNetblocks(text: string, add: (cidr: string, asn: number) => boolean): number {
  let skipped = 0
  let start = 0
  while (start < text.length) {
    let end = text.indexOf('\n', start)
    if (end < 0) end = text.length
    let first = start
    let last = end
    start = end + 1
    while (first < last && isBlank(text.charCodeAt(first))) first++
    while (last > first && isBlank(text.charCodeAt(last - 1))) last--
    if (first === last || text.charCodeAt(first) === 35 /* # */) continue
    let gap = first
    while (gap < last && !isBlank(text.charCodeAt(gap))) gap++
    let asnStart = gap
    while (asnStart < last && isBlank(text.charCodeAt(asnStart))) asnStart++
    const asn = asnStart === gap ? -1 : parseAsn(text, asnStart, last)
    if (asn < 0 || !add(text.slice(first, gap), asn)) skipped++
  }
  return skipped
}

export function globalNetblocksFromText(text: string): GlobalNetblocks {
  const table = new PrefixTable<number>()
  let entries = 0
  const skippedLines = scanGlobalNetblocks(text, (cidr, asn) => {
    const parsed = parseCidr(cidr)
    if (!parsed) return false
    table.add(parsed, asn)
    entries++
    return true
  })
  table.build()
  return { asnOf: (ip) => table.lookup(ip), entries, skippedLines }
}

export async function loadGlobalNetblocks(file: string): Promise<GlobalNetblocks> {
  let text: string
  try {
    text = await readFile(file, 'latin1')
  } catch (error) {
    throw new ConfigError(`global netblocks file ${file}: ${(error as Error).message}`, { key: 'mirrorlist.global_netblocks', cause: error })
  }
  return globalNetblocksFromText(text)
}
