/**
 * The two orderings of the selection tiers. Both take the random source as an argument
 * (selection is pure: tests pass a deterministic one).
 */
import { endianness } from 'node:os'
import type { IndexedHost } from '../snapshot/index-types.js'

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
let keys = new Float64Array(256)
let keyWords = new Uint32Array(keys.buffer)

/**
 * Bandwidth-weighted random order: the same distribution as drawing hosts one by one
 * without replacement with P(host) = bandwidth / sum of the remaining bandwidths.
 * Speed:
 * - instead of n draws over a shrinking list (O(n^2) for the ~150 hosts of a global
 *   fill), every host gets the key -ln(1 - u) / bandwidth and hosts are taken in key
 *   order (Efraimidis & Spirakis, "Weighted random sampling", 2006): same distribution;
 * - the sort is the engine's native numeric sort of a Float64Array, with no comparator
 *   callback: each key carries its position in the 10 lowest mantissa bits (a relative
 *   change below 2^-42, far below the randomness of the key), read back after sorting.
 *   Lists of more than 1024 hosts (or a big-endian machine) take a comparator sort.
 * Bandwidths are clamped to >= 1 at load, so a key is never NaN or infinite.
 */
export function weightedOrder(hostIndexes: readonly number[], hosts: readonly IndexedHost[], random: () => number): number[] {
  const count = hostIndexes.length
  if (count < 2) return [...hostIndexes]
  if (count > INDEX_MASK + 1 || !littleEndian) return weightedOrderByComparator(hostIndexes, hosts, random)
  if (keys.length < count) {
    keys = new Float64Array(count * 2)
    keyWords = new Uint32Array(keys.buffer)
  }
  for (let i = 0; i < count; i++) {
    keys[i] = -Math.log(1 - random()) / hosts[hostIndexes[i]!]!.bandwidth
    keyWords[i * 2] = ((keyWords[i * 2]! & ~INDEX_MASK) | i) >>> 0 // low word of the little-endian double
  }
  keys.subarray(0, count).sort()
  const order = new Array<number>(count)
  for (let i = 0; i < count; i++) order[i] = hostIndexes[keyWords[i * 2]! & INDEX_MASK]!
  return order
}

function weightedOrderByComparator(hostIndexes: readonly number[], hosts: readonly IndexedHost[], random: () => number): number[] {
  const weighted = hostIndexes.map((hostIndex) => ({ hostIndex, key: -Math.log(1 - random()) / hosts[hostIndex]!.bandwidth }))
  weighted.sort((a, b) => a.key - b.key)
  return weighted.map((entry) => entry.hostIndex)
}
