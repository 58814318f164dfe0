/**
 * A small mirror network described in a few lines, as snapshot entries: unit tests
 * build a MirrorIndex from it without any I/O, integration tests write it to a file.
 */
import { buildMirrorIndex } from '../../src/lib/mirrorlist/index/build-index.js'
import type { MirrorIndex } from '../../src/lib/mirrorlist/index/index-types.js'
import { SNAPSHOT_FORMAT_VERSION, encodeHostIds, type FileDetailEntry, type HostEntry, type SnapshotEntry } from '../../src/lib/snapshot/schema.js'
import type { LookupContext } from '../../src/lib/mirrorlist/answer.js'
import { formatIp } from '../../src/lib/netblocks/ip.js'
import { seededRandom } from '../../bench/fixture/fedora-scale.js'

export interface TestHost extends Partial<Omit<HostEntry, 'id'>> {
  id: number
  /** category id -> URLs */
  urls?: Record<number, string[]>
}

export interface TestDirectory {
  name: string
  category: number
  hosts: number[]
  files?: Record<string, Partial<FileDetailEntry>[]>
}

export class MirrorNetwork {
  createdAt = 1700000000
  hosts: TestHost[] = []
  categories: { id: number; name: string; topdir: string }[] = []
  directories: TestDirectory[] = []
  repositories: { prefix: string; arch: string; directory: string; disabled?: boolean }[] = []
  repositoryRedirects: Record<string, string> = {}
  countryContinentRedirects: Record<string, string> = {}
  netblockCountries: Record<string, string> = {}

  host(host: TestHost): this {
    this.hosts.push(host)
    return this
  }

  category(id: number, name: string, topdir: string): this {
    this.categories.push({ id, name, topdir })
    return this
  }

  directory(directory: TestDirectory): this {
    this.directories.push(directory)
    return this
  }

  repository(prefix: string, arch: string, directory: string, disabled = false): this {
    this.repositories.push({ prefix, arch, directory, disabled })
    return this
  }

  entries(): SnapshotEntry[] {
    const entries: SnapshotEntry[] = [{ Header: { formatVersion: SNAPSHOT_FORMAT_VERSION, createdAt: this.createdAt, generator: 'test' } }]
    for (const host of this.hosts) {
      entries.push({
        Host: {
          id: host.id,
          name: host.name ?? `host${host.id}`,
          country: host.country ?? 'US',
          bandwidth: host.bandwidth ?? 100,
          private: host.private ?? false,
          countriesAllowed: host.countriesAllowed ?? [],
          netblocks: host.netblocks ?? [],
          asn: host.asn ?? null,
          peerAsns: host.peerAsns ?? [],
          asnClients: host.asnClients ?? true,
          reachability: host.reachability ?? {},
        },
      })
    }
    for (const category of this.categories) {
      const hostUrls = this.hosts
        .filter((host) => host.urls?.[category.id])
        .map((host) => ({ hostId: host.id, urls: host.urls![category.id]! }))
      entries.push({ Category: { ...category, hostUrls } })
    }
    this.directories.forEach((directory, id) => {
      entries.push({ HostSet: { id, hostIds: encodeHostIds([...directory.hosts].sort((a, b) => a - b)) } })
      const files: Record<string, FileDetailEntry[]> = {}
      for (const [name, details] of Object.entries(directory.files ?? {})) {
        files[name] = details.map((d) => ({ timestamp: 0, size: 0, md5: '', sha1: '', sha256: '', sha512: '', ...d }))
      }
      entries.push({ Directory: { name: directory.name, categoryId: directory.category, hostSet: id, files } })
    })
    for (const repository of this.repositories) entries.push({ Repository: { disabled: false, ...repository } })
    entries.push({
      Tables: {
        repositoryRedirects: this.repositoryRedirects,
        countryContinentRedirects: this.countryContinentRedirects,
        netblockCountries: this.netblockCountries,
      },
    })
    entries.push({
      Footer: {
        hosts: this.hosts.length,
        categories: this.categories.length,
        hostSets: this.directories.length,
        directories: this.directories.length,
        repositories: this.repositories.length,
      },
    })
    return entries
  }

  index(): MirrorIndex {
    return buildMirrorIndex(this.entries())
  }
}

/** A deterministic random source in [0, 1) (the fixture's mulberry32). */
export { seededRandom }

export const CONTINENTS: Record<string, string> = {
  SE: 'EU', DE: 'EU', NO: 'EU', FR: 'EU', AT: 'EU', US: 'NA', CA: 'NA', JP: 'AS',
}

export const PUBDATE_NOW = new Date(Date.UTC(2026, 10, 23, 10, 56, 50))

export function lookupContext(overrides: Partial<LookupContext> & { geo?: Record<string, string>; asns?: Record<string, number> } = {}): LookupContext {
  const { geo = {}, asns = {}, ...rest } = overrides
  return {
    countryOf: (client) => geo[client.text],
    asnOf: (ip) => asns[formatIp(ip)],
    continentOf: (country) => CONTINENTS[country],
    minimum: 5,
    now: PUBDATE_NOW,
    random: seededRandom(42),
    ...rest,
  }
}
