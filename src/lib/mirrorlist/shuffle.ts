/**
 * The two orderings of the selection tiers. Both take the random source as an argument
 * (selection is pure: tests pass a deterministic one).
 */
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

/**
 * Bandwidth-weighted random order: the same distribution as drawing hosts one by one
 * without replacement with P(host) = bandwidth / sum of the remaining bandwidths.
 * Speed: instead of n draws over a shrinking list (O(n^2) for the ~150 hosts of a global
 * fill) every host gets the key -ln(1 - u) / bandwidth and the list is sorted by key
 * (Efraimidis & Spirakis, "Weighted random sampling", 2006): O(n log n), same distribution.
 * Bandwidths are clamped to >= 1 at load, so a key is never NaN.
 */
export function weightedOrder(hostIndexes: readonly number[], hosts: readonly IndexedHost[], random: () => number): number[] {
  if (hostIndexes.length < 2) return [...hostIndexes]
  const keys = new Float64Array(hostIndexes.length)
  const order = new Array<number>(hostIndexes.length)
  for (let i = 0; i < hostIndexes.length; i++) {
    keys[i] = -Math.log(1 - random()) / hosts[hostIndexes[i]!]!.bandwidth
    order[i] = i
  }
  order.sort((a, b) => keys[a]! - keys[b]!)
  return order.map((i) => hostIndexes[i]!)
}
