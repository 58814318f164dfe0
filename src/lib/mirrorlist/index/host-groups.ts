/**
 * HostGroups (see index-types.ts): the hosts carrying a directory, grouped by country
 * with the private hosts last. Built once per distinct host set at load; looked up with
 * binary searches (no Map per directory: 20,000 directories x 70 countries of Map
 * entries would cost more memory than the rest of the index).
 */
import type { CountryNumbering, HostGroups, IndexedHost } from './index-types.js'

/** Hands out views into large typed arrays: many small arrays without one allocation each. */
class TypedPool<A extends Int32Array<ArrayBufferLike> | Uint16Array<ArrayBufferLike>> {
  private pool: A
  private used = 0

  constructor(private readonly make: (size: number) => A) {
    this.pool = make(0)
  }

  /** A view holding the first `count` values of `values` (a new pool of 256 Ki values when full). */
  copy(values: A, count: number): A {
    if (this.used + count > this.pool.length) {
      this.pool = this.make(Math.max(1 << 18, count))
      this.used = 0
    }
    const view = this.pool.subarray(this.used, this.used + count) as A
    view.set(values.subarray(0, count))
    this.used += count
    return view
  }
}

/**
 * Decodes the host sets of a snapshot into HostGroups. Speed tricks, all for the 20,000
 * sets x ~150 hosts of a Fedora-scale snapshot (together ~8x faster than sorting each set
 * and allocating per set):
 * - one order for all hosts, computed once: public hosts by country then index, private
 *   hosts last; a set is grouped by marking its hosts' ranks in a scratch array and
 *   scanning the ranks in order (a counting sort: no comparisons, no per-set sort);
 * - varints are decoded straight into marks (no array of ids per set);
 * - the host lists of all sets live in a few large Int32Array pools; a set holds a
 *   subarray view (no backing-store allocation per set, which the GC pays for).
 */
export class HostSetDecoder {
  private readonly rank: Int32Array
  private readonly hostAt: Int32Array
  /** ranks below this are public hosts */
  private readonly publicRanks: number
  /** country number at each public rank (into countryNames) */
  private readonly countryAt: Int32Array
  private readonly countryNames: string[] = []
  private readonly marks: Uint8Array
  private readonly indexById: Int32Array
  private readonly hostPool = new TypedPool<Int32Array<ArrayBufferLike>>((size) => new Int32Array(size))
  private readonly countryPool = new TypedPool<Uint16Array<ArrayBufferLike>>((size) => new Uint16Array(size))
  private readonly numbering: CountryNumbering
  /** scratch for one set: its country numbers and group offsets */
  private readonly scratchCountries: Uint16Array
  private readonly scratchOffsets: Int32Array
  private readonly scratchHosts: Int32Array

  constructor(private readonly hosts: readonly IndexedHost[]) {
    const order = hosts.map((host) => host.index)
    order.sort((a, b) => {
      const hostA = hosts[a]!
      const hostB = hosts[b]!
      if (hostA.public !== hostB.public) return hostA.public ? -1 : 1
      if (hostA.public && hostA.country !== hostB.country) return hostA.country < hostB.country ? -1 : 1
      return a - b
    })
    this.rank = new Int32Array(hosts.length)
    this.countryAt = new Int32Array(hosts.length)
    let publicRanks = 0
    order.forEach((hostIndex, position) => {
      this.rank[hostIndex] = position
      const host = hosts[hostIndex]!
      if (!host.public) return
      publicRanks = position + 1
      if (this.countryNames[this.countryNames.length - 1] !== host.country) this.countryNames.push(host.country)
      this.countryAt[position] = this.countryNames.length - 1
    })
    this.publicRanks = publicRanks
    this.hostAt = Int32Array.from(order)
    this.marks = new Uint8Array(hosts.length)
    const maxId = hosts.reduce((max, host) => Math.max(max, host.id), 0)
    this.indexById = new Int32Array(maxId + 1).fill(-1)
    for (const host of hosts) if (host.id >= 0) this.indexById[host.id] = host.index
    this.numbering = { names: this.countryNames, numbers: new Map(this.countryNames.map((name, number) => [name, number])) }
    this.scratchCountries = new Uint16Array(hosts.length)
    this.scratchOffsets = new Int32Array(hosts.length + 2)
    this.scratchHosts = new Int32Array(hosts.length)
  }

  /** Marks the ranks of the hosts in `bytes` (HostSetEntry.hostIds); returns an error text or undefined. */
  private mark(bytes: Uint8Array): string | undefined {
    let id = 0
    let delta = 0
    let scale = 1
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i]!
      delta += (byte & 0x7f) * scale
      if (byte & 0x80) {
        scale *= 0x80
        if (scale > 2 ** 28) return 'is malformed'
        continue
      }
      id += delta
      delta = 0
      scale = 1
      const index = id < this.indexById.length ? this.indexById[id]! : -1
      if (index === -1) return `names host ${id}, which the snapshot does not list`
      this.marks[this.rank[index]!] = 1
    }
    return scale === 1 ? undefined : 'is malformed'
  }

  decode(bytes: Uint8Array): HostGroups | string {
    const problem = this.mark(bytes)
    if (problem) {
      this.marks.fill(0)
      return problem
    }
    const hosts = this.scratchHosts
    let count = 0
    let groups = 0
    let publicCount = 0
    let lastCountry = -1
    for (let rank = 0; rank < this.marks.length; rank++) {
      if (this.marks[rank] === 0) continue
      this.marks[rank] = 0
      hosts[count] = this.hostAt[rank]!
      if (rank < this.publicRanks) {
        const country = this.countryAt[rank]!
        if (country !== lastCountry) {
          lastCountry = country
          this.scratchCountries[groups] = country
          this.scratchOffsets[groups] = count
          groups++
        }
        publicCount = count + 1
      }
      count++
    }
    this.scratchOffsets[groups] = publicCount
    this.scratchOffsets[groups + 1] = count
    return {
      hosts: this.hostPool.copy(hosts, count),
      countries: this.countryPool.copy(this.scratchCountries, groups),
      offsets: this.hostPool.copy(this.scratchOffsets, groups + 2),
      publicCount,
      numbering: this.numbering,
    }
  }
}

/** Position of `country` in groups.countries, or -1. */
export function countryGroup(groups: HostGroups, country: string): number {
  const number = groups.numbering.numbers.get(country)
  if (number === undefined) return -1
  let low = 0
  let high = groups.countries.length - 1
  while (low <= high) {
    const middle = (low + high) >>> 1
    const candidate = groups.countries[middle]!
    if (candidate === number) return middle
    if (candidate < number) low = middle + 1
    else high = middle - 1
  }
  return -1
}

/** The public hosts of one country (a view, no copy). */
export function hostsOfCountry(groups: HostGroups, country: string): Int32Array {
  const group = countryGroup(groups, country)
  if (group === -1) return groups.hosts.subarray(0, 0)
  return groups.hosts.subarray(groups.offsets[group]!, groups.offsets[group + 1]!)
}

/** Binary search: inside a group, host indexes ascend (the rank order). */
function containsSorted(values: Int32Array, start: number, end: number, wanted: number): boolean {
  let low = start
  let high = end - 1
  while (low <= high) {
    const middle = (low + high) >>> 1
    const value = values[middle]!
    if (value === wanted) return true
    if (value < wanted) low = middle + 1
    else high = middle - 1
  }
  return false
}

/** True when the host carries the directory these groups belong to. */
export function carries(groups: HostGroups, host: IndexedHost): boolean {
  if (!host.public) return containsSorted(groups.hosts, groups.publicCount, groups.hosts.length, host.index)
  const group = countryGroup(groups, host.country)
  if (group === -1) return false
  return containsSorted(groups.hosts, groups.offsets[group]!, groups.offsets[group + 1]!, host.index)
}
