/**
 * The prefix -> ASN table being built from routing dumps (or ASN range files), and its
 * installation as the `<cidr> <asn>` file `serve-mirrorlist --global-netblocks` reads
 * (global-netblocks.ts).
 *
 * Each prefix is kept once: the first source (and within a source, the first record)
 * naming it wins, so list the preferred dump first. Excluded prefixes (config
 * `netblocks.exclude`) are dropped by exact match. Lines come out sorted by address, IPv4
 * before IPv6, for stable diffs.
 *
 * Speed and memory: ~1,000,000 IPv4 prefixes, so no string per IPv4 prefix — the key is
 * the number `address * 64 + length` (exact in a double: 2^38 < 2^53) in a Map; IPv6
 * prefixes (~200,000) are keyed by their 16 bytes in hex plus the length, which sorts in
 * address order as text.
 */
import { open, readFile, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { TableShrinkError, ValidationError } from '../errors.js'
import { parseCidr, type ParsedCidr } from './cidr.js'
import { formatIp } from './ip.js'
import { scanGlobalNetblocks } from './global-netblocks.js'

export interface NetblockTableCounts {
  ipv4: number
  ipv6: number
  /** Prefixes seen again (in a later record or source) and ignored. */
  duplicates: number
  excluded: number
  /** Routes whose path names no origin AS. */
  withoutOrigin: number
}

function v6Key(words: readonly number[], length: number): string {
  let key = ''
  for (const word of words) key += word.toString(16).padStart(8, '0')
  return key + length.toString(16).padStart(2, '0')
}

export class NetblockTable {
  private readonly v4 = new Map<number, number>()
  private readonly v6 = new Map<string, number>()
  private readonly excludedV4 = new Set<number>()
  private readonly excludedV6 = new Set<string>()
  readonly counts: NetblockTableCounts = { ipv4: 0, ipv6: 0, duplicates: 0, excluded: 0, withoutOrigin: 0 }
  private readonly words = [0, 0, 0, 0]

  /** `exclude`: config netblocks.exclude (README "Netblocks"). */
  constructor(exclude: readonly string[]) {
    for (const text of exclude) {
      const cidr = parseCidr(text)
      if (!cidr) throw new ValidationError(`netblocks.exclude: "${text}" is not a CIDR block`, { field: 'netblocks.exclude' })
      if (cidr.family === 4) this.excludedV4.add(cidr.words[0]! * 64 + cidr.prefixLength)
      else this.excludedV6.add(v6Key(cidr.words, cidr.prefixLength))
    }
  }

  get size(): number {
    return this.v4.size + this.v6.size
  }

  /** A prefix given by its leading bytes (as in MRT); host bits are cleared. */
  addPrefixBytes(family: 4 | 6, prefix: Uint8Array, length: number, origin: number | undefined): void {
    if (origin === undefined) {
      this.counts.withoutOrigin++
      return
    }
    const words = this.words
    words[0] = words[1] = words[2] = words[3] = 0
    for (let i = 0; i < prefix.length; i++) words[i >> 2] = words[i >> 2]! + prefix[i]! * 2 ** (24 - (i & 3) * 8)
    for (let w = 0; w < 4; w++) {
      const bits = length - w * 32
      if (bits <= 0) words[w] = 0
      else if (bits < 32) words[w] = (words[w]! & ((0xffffffff << (32 - bits)) >>> 0)) >>> 0
    }
    this.addWords(family, words, length, origin)
  }

  add(cidr: ParsedCidr, origin: number): void {
    this.addWords(cidr.family, cidr.words, cidr.prefixLength, origin)
  }

  private addWords(family: 4 | 6, words: readonly number[], length: number, origin: number): void {
    if (family === 4) {
      const key = words[0]! * 64 + length
      if (this.excludedV4.has(key)) this.counts.excluded++
      else if (this.v4.has(key)) this.counts.duplicates++
      else this.v4.set(key, origin)
    } else {
      const key = v6Key(words, length)
      if (this.excludedV6.has(key)) this.counts.excluded++
      else if (this.v6.has(key)) this.counts.duplicates++
      else this.v6.set(key, origin)
    }
  }

  /** The table's lines ("prefix/len asn\n"), sorted, in batches of about `batch` lines. */
  *lines(batch = 65_536): Generator<string> {
    this.counts.ipv4 = this.v4.size
    this.counts.ipv6 = this.v6.size
    const keys = Float64Array.from(this.v4.keys()).sort()
    let text = ''
    let count = 0
    for (const key of keys) {
      const address = Math.floor(key / 64)
      text += `${address >>> 24}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}/${key % 64} ${this.v4.get(key)}\n`
      if (++count % batch === 0) {
        yield text
        text = ''
      }
    }
    for (const key of [...this.v6.keys()].sort()) {
      const words = [0, 1, 2, 3].map((w) => parseInt(key.slice(w * 8, w * 8 + 8), 16))
      text += `${formatIp({ family: 6, words })}/${parseInt(key.slice(32), 16)} ${this.v6.get(key)}\n`
      if (++count % batch === 0) {
        yield text
        text = ''
      }
    }
    if (text) yield text
  }
}

/** Entries of an existing table file (0 when there is none). */
export async function countTableEntries(file: string): Promise<number> {
  let text: string
  try {
    text = await readFile(file, 'latin1')
  } catch {
    return 0
  }
  let entries = 0
  scanGlobalNetblocks(text, () => {
    entries++
    return true
  })
  return entries
}

export interface InstallTableOptions {
  /** Refuse when the new table has fewer than (1 - maxShrink) x the old one's entries. */
  maxShrink: number
  /** Install even when it shrank. */
  force?: boolean
}

export interface InstallTableResult {
  previousEntries: number
  entries: number
}

/**
 * Writes the table to a temporary file beside `output` and renames it over `output`: a
 * reader sees the old table or the new one. Refused — nothing changes — when the table
 * is empty, or (without `force`) shrank by more than `maxShrink` (a truncated download
 * must never blank the server's table).
 */
export async function installNetblockTable(table: NetblockTable, output: string, options: InstallTableOptions): Promise<InstallTableResult> {
  const previousEntries = await countTableEntries(output)
  const entries = table.size
  if (entries === 0) throw new TableShrinkError(`the new netblock table is empty; ${output} is left as it was`, { details: { output, previousEntries, entries } })
  const floor = Math.ceil(previousEntries * (1 - options.maxShrink))
  if (!options.force && entries < floor) {
    throw new TableShrinkError(
      `the new netblock table has ${entries} entries, ${previousEntries} before: it shrank by more than ${Math.round(options.maxShrink * 100)}% (netblocks.max_shrink); ${output} is left as it was (--force installs it anyway)`,
      { details: { output, previousEntries, entries } },
    )
  }
  const temporary = join(dirname(output), `.${basename(output)}.tmp-${process.pid}`)
  const handle = await open(temporary, 'w', 0o644)
  try {
    for (const text of table.lines()) await handle.write(text, null, 'latin1')
    await handle.sync()
    await handle.close()
    await rename(temporary, output)
  } catch (error) {
    await handle.close().catch(() => {})
    await rm(temporary, { force: true })
    throw error
  }
  return { previousEntries, entries }
}
