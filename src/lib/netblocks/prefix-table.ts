/**
 * Longest-prefix match over IPv4 and IPv6 CIDR blocks, compact enough for the ~900,000
 * lines of a global netblocks (BGP) table.
 *
 * Layout (per address family, W = words per address: 1 for IPv4, 4 for IPv6):
 *   starts  Uint32Array(n * W)  network address of each block, sorted ascending
 *                               (ties: shorter prefix, i.e. the enclosing block, first)
 *   ends    Uint32Array(n * W)  last address of each block
 *   lengths Uint8Array(n)       prefix length
 *   parents Int32Array(n)       index of the nearest enclosing block, or -1
 * CIDR blocks never partially overlap: two are either disjoint or nested. So the block
 * that most specifically contains an address is the nearest enclosing-or-self block of
 * the LAST block starting at or before the address (every block containing the address
 * starts before it, and the last such start lies inside all of them). A lookup is one
 * binary search plus a short walk up `parents` (at most the nesting depth, <= 129).
 * No objects per entry: ~13 bytes per IPv4 block plus the value slot.
 */
import { parseCidr, wordMask, type ParsedCidr } from './cidr.js'
import { parseIp, type IpFamily, type ParsedIp } from './ip.js'
import { ValidationError } from '../errors.js'

export interface PrefixMatch<T> {
  prefixLength: number
  value: T
}

/** One family's frozen table (see the layout above); `values` may be a typed array. */
export interface FrozenFamily<T> {
  starts: Uint32Array
  ends: Uint32Array
  lengths: Uint8Array
  parents: Int32Array
  values: ArrayLike<T>
}

/** Tables with more blocks than this get a top index (FamilyTable.indexTops). */
const TOP_INDEX_MIN = 4096

class FamilyTable<T> {
  // Pending blocks live in growable typed arrays (no boxed number per word): the global
  // netblocks file adds ~900,000 of them at every worker start.
  private pendingWords = new Uint32Array(0)
  private pendingLengths = new Uint8Array(0)
  private pendingCount = 0
  private pendingValues: T[] = []
  private starts: Uint32Array = new Uint32Array(0)
  private ends: Uint32Array = new Uint32Array(0)
  private lengths: Uint8Array = new Uint8Array(0)
  private parents: Int32Array = new Int32Array(0)
  private values: ArrayLike<T> = []
  /** big tables: where the blocks whose first 16 address bits are t begin (topIndex[t]), t = 0..65536 */
  private topIndex: Uint32Array | undefined

  constructor(private readonly width: number) {}

  get size(): number {
    return this.values.length
  }

  /** Room for one more pending block (capacity doubles). */
  private reserve(): number {
    const count = this.pendingCount
    if (count === this.pendingLengths.length) {
      const capacity = Math.max(1024, count * 2)
      const words = new Uint32Array(capacity * this.width)
      words.set(this.pendingWords)
      const lengths = new Uint8Array(capacity)
      lengths.set(this.pendingLengths)
      this.pendingWords = words
      this.pendingLengths = lengths
    }
    this.pendingCount = count + 1
    return count
  }

  add(words: readonly number[], prefixLength: number, value: T): void {
    const slot = this.reserve()
    for (let w = 0; w < this.width; w++) this.pendingWords[slot * this.width + w] = words[w]!
    this.pendingLengths[slot] = prefixLength
    this.pendingValues.push(value)
  }

  /** add() for a one-word (IPv4) address without an array per block */
  addWord(word: number, prefixLength: number, value: T): void {
    const slot = this.reserve()
    this.pendingWords[slot] = word
    this.pendingLengths[slot] = prefixLength
    this.pendingValues.push(value)
  }

  /**
   * Sort order of the pending blocks: by start, then prefix length, then insertion.
   * Speed: a least-significant-digit radix sort over 16-bit digits (prefix length first,
   * then the address words from the last), stable, so equal blocks keep their insertion
   * order: 3 linear passes for IPv4, 9 for IPv6, instead of a comparison sort of ~900,000
   * blocks at every worker start. A file already in order (`netblocks global` writes it
   * sorted) costs one linear check.
   */
  private sortedOrder(): Uint32Array {
    const count = this.pendingCount
    const words = this.pendingWords
    const lengths = this.pendingLengths
    const width = this.width
    let order = new Uint32Array(count)
    for (let i = 0; i < count; i++) order[i] = i
    if (this.isSorted()) return order
    let spare = new Uint32Array(count)
    const buckets = new Uint32Array(65_537)
    const digits = new Uint16Array(count) // digit of each block (by block number) in this pass
    const pass = (): void => {
      buckets.fill(0)
      for (let i = 0; i < count; i++) buckets[digits[i]! + 1]!++
      for (let d = 1; d < 65_537; d++) buckets[d]! += buckets[d - 1]!
      for (let i = 0; i < count; i++) {
        const block = order[i]!
        spare[buckets[digits[block]!]!++] = block
      }
      const swap = order
      order = spare
      spare = swap
    }
    digits.set(lengths.subarray(0, count))
    pass()
    for (let w = width - 1; w >= 0; w--) {
      for (let i = 0; i < count; i++) digits[i] = words[i * width + w]! & 0xffff
      pass()
      for (let i = 0; i < count; i++) digits[i] = words[i * width + w]! >>> 16
      pass()
    }
    return order
  }

  /** True when the pending blocks are in sort order already (start, then length). */
  private isSorted(): boolean {
    const words = this.pendingWords
    const lengths = this.pendingLengths
    const width = this.width
    for (let i = 1; i < this.pendingCount; i++) {
      let difference = 0
      for (let w = 0; w < width && difference === 0; w++) difference = words[(i - 1) * width + w]! - words[i * width + w]!
      if (difference > 0 || (difference === 0 && lengths[i - 1]! > lengths[i]!)) return false
    }
    return true
  }

  /** Freezes the pending blocks into the typed arrays. A repeated block keeps its last value. */
  build(): void {
    if (this.values.length > 0) {
      // merge with what an earlier build() froze; those come first, so newer adds win
      const frozen = this.values.length
      const width = this.width
      const words = new Uint32Array((frozen + this.pendingCount) * width)
      words.set(this.starts)
      words.set(this.pendingWords.subarray(0, this.pendingCount * width), frozen * width)
      const lengths = new Uint8Array(frozen + this.pendingCount)
      lengths.set(this.lengths)
      lengths.set(this.pendingLengths.subarray(0, this.pendingCount), frozen)
      this.pendingWords = words
      this.pendingLengths = lengths
      this.pendingCount += frozen
      this.pendingValues = [...Array.from(this.values), ...this.pendingValues]
    }
    const order = this.sortedOrder()
    const unique = new Uint32Array(order.length)
    let count = 0
    for (let k = 0; k < order.length - 1; k++) {
      if (!this.sameBlock(order[k]!, order[k + 1]!)) unique[count++] = order[k]! // a later duplicate wins
    }
    if (order.length > 0) unique[count++] = order[order.length - 1]!
    this.freeze(unique.subarray(0, count))
  }

  private sameBlock(a: number, b: number): boolean {
    if (this.pendingLengths[a] !== this.pendingLengths[b]) return false
    for (let w = 0; w < this.width; w++) {
      if (this.pendingWords[a * this.width + w] !== this.pendingWords[b * this.width + w]) return false
    }
    return true
  }

  private freeze(unique: Uint32Array): void {
    const width = this.width
    const count = unique.length
    const starts = (this.starts = new Uint32Array(count * width))
    const ends = (this.ends = new Uint32Array(count * width))
    const lengths = (this.lengths = new Uint8Array(count))
    const parents = (this.parents = new Int32Array(count))
    // pushed, not new Array(count): V8 keeps a preallocated array of this size as a slow dictionary
    const values: T[] = []
    this.values = values
    const stack = new Int32Array(130) // nesting depth <= 33 (IPv4) or 129 (IPv6) blocks
    let depth = 0
    const words = this.pendingWords
    for (let k = 0; k < count; k++) {
      const source = unique[k]!
      const length = this.pendingLengths[source]!
      for (let w = 0; w < width; w++) {
        const word = words[source * width + w]!
        starts[k * width + w] = word
        ends[k * width + w] = (word | ~wordMask(length - w * 32)) >>> 0
      }
      lengths[k] = length
      values.push(this.pendingValues[source]!)
      // the enclosing block is the nearest one on the stack whose end reaches our start
      while (depth > 0 && this.compareEnd(stack[depth - 1]!, starts, k * width) < 0) depth--
      parents[k] = depth > 0 ? stack[depth - 1]! : -1
      stack[depth++] = k
    }
    this.pendingWords = new Uint32Array(0)
    this.pendingLengths = new Uint8Array(0)
    this.pendingCount = 0
    this.pendingValues = []
    this.indexTops()
  }

  /**
   * Speed: a binary search over the ~900,000 blocks of a global netblocks table reads ~20
   * places far apart in memory; in a server whose caches the kernel's networking clears
   * between requests each read waits for memory. Tables of more than TOP_INDEX_MIN blocks
   * keep, per value of the first 16 address bits, where its blocks begin: a lookup then
   * searches the ~15 blocks of its range (256 KB per table).
   */
  private indexTops(): void {
    const count = this.lengths.length
    if (count <= TOP_INDEX_MIN) {
      this.topIndex = undefined
      return
    }
    const top = (this.topIndex = new Uint32Array(65_537))
    let k = 0
    for (let t = 0; t <= 65_536; t++) {
      while (k < count && this.starts[k * this.width]! >>> 16 < t) k++
      top[t] = k
    }
  }

  /** Sign of (starts[k] - address) */
  private compareStart(k: number, address: number[]): number {
    const base = k * this.width
    for (let w = 0; w < this.width; w++) {
      const difference = this.starts[base + w]! - address[w]!
      if (difference !== 0) return difference
    }
    return 0
  }

  /** Sign of (ends[k] - address); `offset` into `address` */
  private compareEnd(k: number, address: ArrayLike<number>, offset: number): number {
    const base = k * this.width
    for (let w = 0; w < this.width; w++) {
      const difference = this.ends[base + w]! - address[offset + w]!
      if (difference !== 0) return difference
    }
    return 0
  }

  /** Index of the most specific block containing the address, or -1. */
  find(address: number[]): number {
    let low = 0
    let high = this.lengths.length - 1
    const top = this.topIndex
    if (top) {
      // blocks before the range start below the address, blocks after it above
      const bits = address[0]! >>> 16
      low = top[bits]!
      high = top[bits + 1]! - 1
    }
    let last = low - 1
    while (low <= high) {
      const middle = (low + high) >>> 1
      if (this.compareStart(middle, address) <= 0) {
        last = middle
        low = middle + 1
      } else {
        high = middle - 1
      }
    }
    while (last !== -1 && this.compareEnd(last, address, 0) < 0) last = this.parents[last]!
    return last
  }

  /** The frozen arrays (after build()), for a compact copy. */
  frozen(): FrozenFamily<T> {
    return { starts: this.starts, ends: this.ends, lengths: this.lengths, parents: this.parents, values: this.values }
  }

  /** Takes arrays frozen() gave (or views of a compact copy of them) as they are. */
  thaw(arrays: FrozenFamily<T>): void {
    this.starts = arrays.starts
    this.ends = arrays.ends
    this.lengths = arrays.lengths
    this.parents = arrays.parents
    this.values = arrays.values
    this.indexTops()
  }

  matchAt(index: number): PrefixMatch<T> {
    return { prefixLength: this.lengths[index]!, value: this.values[index]! }
  }

  parentOf(index: number): number {
    return this.parents[index]!
  }

  get dirty(): boolean {
    return this.pendingCount > 0
  }
}

/**
 * A longest-prefix-match table from CIDR blocks to values. add() everything, build()
 * once (lookups build automatically if something was added since), then look up.
 */
export class PrefixTable<T> {
  private readonly v4 = new FamilyTable<T>(1)
  private readonly v6 = new FamilyTable<T>(4)

  /** Number of distinct blocks (after the last build). */
  get size(): number {
    return this.v4.size + this.v6.size
  }

  /** Adds a block; a string that is not a CIDR block throws ValidationError. */
  add(cidr: ParsedCidr | string, value: T): void {
    const parsed = typeof cidr === 'string' ? parseCidr(cidr) : cidr
    if (!parsed) throw new ValidationError(`not an IP address or CIDR block: ${JSON.stringify(cidr)}`)
    this.family(parsed.family).add(parsed.words, parsed.prefixLength, value)
  }

  /** add() of an IPv4 block given as its network address (host bits clear) */
  addIpv4(address: number, prefixLength: number, value: T): void {
    this.v4.addWord(address, prefixLength, value)
  }

  build(): this {
    if (this.v4.dirty) this.v4.build()
    if (this.v6.dirty) this.v6.build()
    return this
  }

  /** Both families' frozen arrays (builds first). */
  frozen(): { v4: FrozenFamily<T>; v6: FrozenFamily<T> } {
    this.build()
    return { v4: this.v4.frozen(), v6: this.v6.frozen() }
  }

  /** A table of arrays frozen() gave, used as they are (no copy, no sort). */
  static thaw<T>(arrays: { v4: FrozenFamily<T>; v6: FrozenFamily<T> }): PrefixTable<T> {
    const table = new PrefixTable<T>()
    table.v4.thaw(arrays.v4)
    table.v6.thaw(arrays.v6)
    return table
  }

  /** The value of the most specific block containing `ip`, or undefined. */
  lookup(ip: ParsedIp | string): T | undefined {
    return this.lookupMatch(ip)?.value
  }

  /** The most specific block containing `ip` (prefix length and value), or undefined. */
  lookupMatch(ip: ParsedIp | string): PrefixMatch<T> | undefined {
    const parsed = typeof ip === 'string' ? parseIp(ip) : ip
    if (!parsed) return undefined
    this.build()
    const table = this.family(parsed.family)
    const index = table.find(parsed.words)
    return index === -1 ? undefined : table.matchAt(index)
  }

  /** Every block containing `ip`, most specific first. */
  lookupAll(ip: ParsedIp | string): PrefixMatch<T>[] {
    const parsed = typeof ip === 'string' ? parseIp(ip) : ip
    if (!parsed) return []
    this.build()
    const table = this.family(parsed.family)
    const matches: PrefixMatch<T>[] = []
    for (let index = table.find(parsed.words); index !== -1; index = table.parentOf(index)) {
      matches.push(table.matchAt(index))
    }
    return matches
  }

  private family(family: IpFamily): FamilyTable<T> {
    return family === 4 ? this.v4 : this.v6
  }
}
