/**
 * The two orderings of the selection tiers. Both take the random source as an argument
 * (selection is pure: tests pass a deterministic one).
 */
import { endianness } from 'node:os'
import type { IndexedHost } from './index/index-types.js'

/** Fisher-Yates: a uniform random order, in place. */
export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const swap = items[i]!
    items[i] = items[j]!
    items[j] = swap
  }
  return items
}

const INDEX_BITS = 10
const INDEX_MASK = (1 << INDEX_BITS) - 1
const littleEndian = endianness() === 'LE'
/** Bucket of a key: its high word without the low mantissa bits (8 buckets per octave). */
const BUCKET_SHIFT = 17
/** Key ranges wider than this many buckets take the engine's sort (never seen in practice). */
const MAX_BUCKETS = 4096
let keys = new Float64Array(256)
let keyWords = new Uint32Array(keys.buffer)
let sorted = new Float64Array(256)
let sortedWords = new Uint32Array(sorted.buffer)
const bucketStarts = new Int32Array(MAX_BUCKETS + 1)

/** 1 / bandwidth of every host of a loaded index (a typed array read instead of an object's field). */
const inverseBandwidths = new WeakMap<readonly IndexedHost[], Float64Array>()

function inverseBandwidthsOf(hosts: readonly IndexedHost[]): Float64Array {
  let inverse = inverseBandwidths.get(hosts)
  if (!inverse) inverseBandwidths.set(hosts, (inverse = Float64Array.from(hosts, (host) => 1 / host.bandwidth)))
  return inverse
}

/**
 * Bandwidth-weighted random order: the same distribution as drawing hosts one by one
 * without replacement with P(host) = bandwidth / sum of the remaining bandwidths.
 * Speed:
 * - instead of n draws over a shrinking list (O(n^2) for the ~150 hosts of a global
 *   fill), every host gets the key -ln(1 - u) / bandwidth and hosts are taken in key
 *   order (Efraimidis & Spirakis, "Weighted random sampling", 2006): same distribution;
 * - each key carries its position in the 10 lowest mantissa bits (a relative change
 *   below 2^-42, far below the randomness of the key), so only doubles are sorted;
 * - the sort is a bucket sort (sortKeys): the engine's Float64Array sort costs ~50 ns a
 *   key at these sizes, a third of a whole mirror list answer (bench/RESULTS-server.md).
 * Lists of more than 1024 hosts (or a big-endian machine) take a comparator sort.
 * Bandwidths are clamped to >= 1 at load, so a key is never NaN or infinite.
 */
export function weightedOrder(hostIndexes: ArrayLike<number>, hosts: readonly IndexedHost[], random: () => number): number[] {
  const count = hostIndexes.length
  if (count < 2) return Array.from(hostIndexes)
  if (count > INDEX_MASK + 1 || !littleEndian) return weightedOrderByComparator(Array.from(hostIndexes), hosts, random)
  if (keys.length < count) {
    keys = new Float64Array(count * 2)
    keyWords = new Uint32Array(keys.buffer)
    sorted = new Float64Array(count * 2)
    sortedWords = new Uint32Array(sorted.buffer)
  }
  const inverse = inverseBandwidthsOf(hosts)
  for (let i = 0; i < count; i++) {
    // 0 - x, not -x: a draw of exactly 0 gives +0, whose high word sorts first (-0's would not)
    keys[i] = (0 - Math.log(1 - random())) * inverse[hostIndexes[i]!]!
    keyWords[i * 2] = ((keyWords[i * 2]! & ~INDEX_MASK) | i) >>> 0 // low word of the little-endian double
  }
  const order = new Array<number>(count)
  if (sortKeys(count)) {
    for (let i = 0; i < count; i++) order[i] = hostIndexes[sortedWords[i * 2]! & INDEX_MASK]!
  } else {
    keys.subarray(0, count).sort()
    for (let i = 0; i < count; i++) order[i] = hostIndexes[keyWords[i * 2]! & INDEX_MASK]!
  }
  return order
}

/**
 * Sorts keys[0..count) into sorted[0..count); false (nothing done) when the keys span too
 * many buckets. A key is a positive double, so its high word grows with its value: a
 * counting sort by the high word's top bits puts every key in its bucket (8 per octave;
 * the keys of one answer spread over a few dozen octaves, so most buckets hold one key),
 * and an insertion sort then orders the keys inside each bucket (keys never cross a
 * bucket boundary, so its cost is the sum of the squared bucket sizes: linear here).
 * The result is exactly the sorted order, whatever the keys.
 */
function sortKeys(count: number): boolean {
  let low = 0x7fffffff
  let high = 0
  for (let i = 0; i < count; i++) {
    const bucket = keyWords[i * 2 + 1]! >>> BUCKET_SHIFT
    if (bucket < low) low = bucket
    if (bucket > high) high = bucket
  }
  const buckets = high - low + 1
  if (buckets > MAX_BUCKETS) return false
  bucketStarts.fill(0, 0, buckets + 1)
  for (let i = 0; i < count; i++) bucketStarts[(keyWords[i * 2 + 1]! >>> BUCKET_SHIFT) - low + 1]!++
  for (let b = 1; b <= buckets; b++) bucketStarts[b]! += bucketStarts[b - 1]!
  for (let i = 0; i < count; i++) sorted[bucketStarts[(keyWords[i * 2 + 1]! >>> BUCKET_SHIFT) - low]!++] = keys[i]!
  for (let i = 1; i < count; i++) {
    const key = sorted[i]!
    let j = i - 1
    while (j >= 0 && sorted[j]! > key) {
      sorted[j + 1] = sorted[j]!
      j--
    }
    sorted[j + 1] = key
  }
  return true
}

function weightedOrderByComparator(hostIndexes: readonly number[], hosts: readonly IndexedHost[], random: () => number): number[] {
  const weighted = hostIndexes.map((hostIndex) => ({ hostIndex, key: -Math.log(1 - random()) / hosts[hostIndex]!.bandwidth }))
  weighted.sort((a, b) => a.key - b.key)
  return weighted.map((entry) => entry.hostIndex)
}
