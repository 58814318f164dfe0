/**
 * HostGroups (see index-types.ts): the hosts carrying a directory, grouped by country
 * with the private hosts last. Built once per distinct host set at load; looked up with
 * binary searches (no Map per directory: 20,000 directories x 70 countries of Map
 * entries would cost more memory than the rest of the index).
 */
import type { HostGroups, IndexedHost } from './index-types.js'

export function buildHostGroups(hostIndexes: ArrayLike<number>, hosts: readonly IndexedHost[]): HostGroups {
  const publicHosts: number[] = []
  const privateHosts: number[] = []
  for (let i = 0; i < hostIndexes.length; i++) {
    const index = hostIndexes[i]!
    ;(hosts[index]!.public ? publicHosts : privateHosts).push(index)
  }
  publicHosts.sort((a, b) => {
    const countryA = hosts[a]!.country
    const countryB = hosts[b]!.country
    return countryA < countryB ? -1 : countryA > countryB ? 1 : a - b
  })
  privateHosts.sort((a, b) => a - b)
  const countries: string[] = []
  const offsets: number[] = []
  publicHosts.forEach((index, position) => {
    const country = hosts[index]!.country
    if (countries[countries.length - 1] !== country) {
      countries.push(country)
      offsets.push(position)
    }
  })
  offsets.push(publicHosts.length, publicHosts.length + privateHosts.length)
  return {
    hosts: Int32Array.from([...publicHosts, ...privateHosts]),
    countries,
    offsets: Int32Array.from(offsets),
    publicCount: publicHosts.length,
  }
}

/** Position of `country` in groups.countries, or -1. */
export function countryGroup(groups: HostGroups, country: string): number {
  let low = 0
  let high = groups.countries.length - 1
  while (low <= high) {
    const middle = (low + high) >>> 1
    const candidate = groups.countries[middle]!
    if (candidate === country) return middle
    if (candidate < country) low = middle + 1
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
  if (!host.public) {
    const start = groups.offsets[groups.countries.length]!
    return containsSorted(groups.hosts, start, groups.hosts.length, host.index)
  }
  const group = countryGroup(groups, host.country)
  if (group === -1) return false
  return containsSorted(groups.hosts, groups.offsets[group]!, groups.offsets[group + 1]!, host.index)
}
