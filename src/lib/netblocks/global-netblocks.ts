/**
 * The global netblocks file: one `<cidr> <asn>` pair per line (as made from a BGP table
 * dump, ~900,000 lines), used to find a client's ASN by longest prefix. Blank lines and
 * `#` comments are ignored; a malformed line is skipped and counted, never fatal.
 *
 * For speed the file is scanned with indexOf instead of split('\n') (no 900,000-element
 * array of lines), and the prefixes go into the compact PrefixTable (sorted typed arrays).
 */
import { readFile } from 'node:fs/promises'
import { ConfigError } from '../errors.js'
import { parseCidr } from './cidr.js'
import { PrefixTable } from './prefix-table.js'

export interface GlobalNetblocks {
  asnOf(ip: string): number | undefined
  entries: number
  skippedLines: number
}

/** Calls `add` for every well-formed line; returns how many lines were malformed. */
export function scanGlobalNetblocks(text: string, add: (cidr: string, asn: number) => boolean): number {
  let skipped = 0
  let start = 0
  while (start < text.length) {
    let end = text.indexOf('\n', start)
    if (end < 0) end = text.length
    const line = text.slice(start, end).trim()
    start = end + 1
    if (line === '' || line.charCodeAt(0) === 35 /* # */) continue
    const space = line.search(/\s/)
    const asnText = space < 0 ? '' : line.slice(space).trim()
    const asn = /^(AS)?\d{1,10}$/i.test(asnText) ? Number(asnText.replace(/^AS/i, '')) : NaN
    if (space < 0 || !Number.isSafeInteger(asn) || asn > 0xffffffff || !add(line.slice(0, space), asn)) skipped++
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
