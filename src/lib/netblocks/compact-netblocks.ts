/**
 * A compact binary copy of a parsed global netblocks table, so that serve-mirrorlist
 * parses the ~900,000-line text file once (the primary, at start): the workers (and
 * restarted ones) read the frozen PrefixTable arrays back with one read and typed-array
 * views, no parsing and no sort.
 *
 * Layout (native byte order; the copy never leaves the machine that wrote it):
 *   header  Float64Array(HEADER_WORDS): magic, version, source size, source mtime (ms),
 *           entries, skipped lines, IPv4 blocks, IPv6 blocks
 *   per family (IPv4, then IPv6; W = 1 or 4 words): starts u32[n*W], ends u32[n*W],
 *           parents i32[n], values (ASN) u32[n]
 *   lengths u8[n] of IPv4, then of IPv6
 * The copy stands for the source file of exactly that size and mtime; anything else (a
 * replaced source, a truncated or foreign copy) is ignored and the text is parsed.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import { PrefixTable, type FrozenFamily } from './prefix-table.js'

const MAGIC = 0x4d4d4e42 // "MMNB"
const VERSION = 1
const HEADER_WORDS = 8

export interface SourceStamp {
  size: number
  mtimeMs: number
}

export interface CompactNetblocks {
  table: PrefixTable<number>
  entries: number
  skippedLines: number
}

function familyBytes(count: number, width: number): number {
  return count * width * 8 + count * 8
}

/** Writes the copy under a temporary name and renames it: a reader sees all of it or nothing. */
export async function writeCompactNetblocks(file: string, source: SourceStamp, parsed: CompactNetblocks): Promise<void> {
  const { v4, v6 } = parsed.table.frozen()
  const v4Count = v4.lengths.length
  const v6Count = v6.lengths.length
  const header = Float64Array.of(MAGIC, VERSION, source.size, source.mtimeMs, parsed.entries, parsed.skippedLines, v4Count, v6Count)
  const parts: ArrayBufferView[] = [header]
  for (const family of [v4, v6]) {
    parts.push(family.starts, family.ends, family.parents, Uint32Array.from(family.values))
  }
  parts.push(v4.lengths, v6.lengths)
  const staging = `${file}.tmp-${process.pid}`
  try {
    await writeFile(staging, parts.map((part) => new Uint8Array(part.buffer, part.byteOffset, part.byteLength)))
    await rename(staging, file)
  } catch (error) {
    await rm(staging, { force: true })
    throw error
  }
}

/** The table in the copy, or undefined when there is none or it does not stand for `source`. */
export async function readCompactNetblocks(file: string, source: SourceStamp): Promise<CompactNetblocks | undefined> {
  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch {
    return undefined
  }
  // typed-array views need aligned offsets: copy the (rare) unaligned buffer once
  const buffer = bytes.byteOffset % 8 === 0 ? bytes : Buffer.from(bytes)
  if (buffer.byteLength < HEADER_WORDS * 8) return undefined
  const header = new Float64Array(buffer.buffer, buffer.byteOffset, HEADER_WORDS)
  const [magic, version, size, mtimeMs, entries, skippedLines, v4Count, v6Count] = header as unknown as number[]
  if (magic !== MAGIC || version !== VERSION || size !== source.size || mtimeMs !== source.mtimeMs) return undefined
  const expected = HEADER_WORDS * 8 + familyBytes(v4Count!, 1) + familyBytes(v6Count!, 4) + v4Count! + v6Count!
  if (buffer.byteLength !== expected) return undefined
  let offset = buffer.byteOffset + HEADER_WORDS * 8
  const u32 = (count: number): Uint32Array => {
    const view = new Uint32Array(buffer.buffer, offset, count)
    offset += count * 4
    return view
  }
  const family = (count: number, width: number): Omit<FrozenFamily<number>, 'lengths'> => ({
    starts: u32(count * width),
    ends: u32(count * width),
    parents: new Int32Array(u32(count).buffer, offset - count * 4, count),
    values: u32(count),
  })
  const v4 = family(v4Count!, 1)
  const v6 = family(v6Count!, 4)
  const v4Lengths = new Uint8Array(buffer.buffer, offset, v4Count)
  const v6Lengths = new Uint8Array(buffer.buffer, offset + v4Count!, v6Count)
  const table = PrefixTable.thaw({ v4: { ...v4, lengths: v4Lengths }, v6: { ...v6, lengths: v6Lengths } })
  return { table, entries: entries!, skippedLines: skippedLines! }
}
