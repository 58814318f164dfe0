/**
 * Snapshot entries (schema.ts) -> MirrorIndex (index-types.ts), in one pass, checking
 * the invariants the server relies on. Everything a request would otherwise compute
 * again and again is computed here once: clamped bandwidths, URL schemes, metalink URL
 * line heads, host groups per distinct host set, metalink <file> preludes, the sorted
 * 404 repository listing, the netblock and ASN tables.
 */
import { SnapshotError } from '../../errors.js'
import { parseCidr } from '../../netblocks/cidr.js'
import { PrefixTable } from '../../netblocks/prefix-table.js'
import { renderFilePrelude } from '../render-metalink.js'
import { escapeXml } from '../xml.js'
import { HostSetDecoder } from './host-groups.js'
import type { HostGroups, HostUrl, IndexedCategory, IndexedDirectory, IndexedHost, MirrorIndex, PreparedFile, RepositoryTarget } from './index-types.js'
import {
  SNAPSHOT_FORMAT_VERSION,
  type CategoryEntry,
  type DirectoryEntry,
  type FileDetailEntry,
  type FooterEntry,
  type HeaderEntry,
  type HostEntry,
  type RepositoryEntry,
  type SnapshotEntry,
  type TablesEntry,
} from '../../snapshot/schema.js'

const NO_FILES: ReadonlyMap<string, PreparedFile> = new Map()
/** the schemes a plain mirror list shows without protocol= (the first such URL of a host) */
const PLAIN_SCHEMES = new Set(['https', 'http', 'ftp'])

export function clampBandwidth(bandwidth: number | null | undefined): number {
  if (!bandwidth || !Number.isFinite(bandwidth) || bandwidth < 1) return 1
  return Math.min(Math.floor(bandwidth), 10000)
}

function schemeOf(url: string): string {
  const colon = url.indexOf(':')
  return (colon === -1 ? url : url.slice(0, colon)).toLowerCase()
}

function prepareFile(name: string, details: FileDetailEntry[]): PreparedFile {
  // only the rendered text is kept: the details themselves are not needed after load
  return { metalinkPrelude: Buffer.from(renderFilePrelude(name, details)) }
}

function subpathOf(directory: string, topdir: string): string {
  if (directory === topdir) return ''
  if (topdir !== '' && directory.startsWith(`${topdir}/`)) return directory.slice(topdir.length + 1)
  return directory
}

export class IndexBuilder {
  private header?: HeaderEntry
  private readonly hosts: IndexedHost[] = []
  private readonly hostIndexById = new Map<number, number>()
  private readonly hostEntries: HostEntry[] = []
  private readonly categories = new Map<number, IndexedCategory>()
  private readonly hostSets = new Map<number, HostGroups>()
  private readonly directories = new Map<string, IndexedDirectory>()
  private readonly repositories = new Map<string, RepositoryTarget>()
  private tables?: TablesEntry
  private footer?: FooterEntry
  private hostSetCount = 0
  /** made when the first host set arrives (all hosts come before any set) */
  private hostSetDecoder?: HostSetDecoder

  add(entry: SnapshotEntry): void {
    if (this.footer) throw new SnapshotError('snapshot has data after its footer')
    if ('Header' in entry) return this.addHeader(entry.Header)
    if (!this.header) throw new SnapshotError('snapshot does not start with its header')
    if ('Host' in entry) return this.addHost(entry.Host)
    if ('Category' in entry) return this.addCategory(entry.Category)
    if ('HostSet' in entry) return this.addHostSet(entry.HostSet.id, entry.HostSet.hostIds)
    if ('Directory' in entry) return this.addDirectory(entry.Directory)
    if ('Repository' in entry) return this.addRepository(entry.Repository)
    if ('Tables' in entry) {
      this.tables = entry.Tables
      return
    }
    this.footer = entry.Footer
  }

  private addHeader(header: HeaderEntry): void {
    if (this.header) throw new SnapshotError('snapshot has two headers')
    if (header.formatVersion !== SNAPSHOT_FORMAT_VERSION) {
      throw new SnapshotError(`snapshot format version ${header.formatVersion} is not supported (expected ${SNAPSHOT_FORMAT_VERSION})`)
    }
    this.header = header
  }

  private addHost(entry: HostEntry): void {
    if (this.hostSetDecoder) throw new SnapshotError('snapshot lists a host after the host sets')
    if (this.hostIndexById.has(entry.id)) throw new SnapshotError(`snapshot lists host ${entry.id} twice`)
    const index = this.hosts.length
    this.hostIndexById.set(entry.id, index)
    this.hostEntries.push(entry)
    this.hosts.push({
      index,
      id: entry.id,
      name: entry.name,
      country: entry.country.toUpperCase(),
      bandwidth: clampBandwidth(entry.bandwidth),
      public: !entry.private,
      countriesAllowed: entry.countriesAllowed.length > 0 ? new Set(entry.countriesAllowed.map((c) => c.toUpperCase())) : undefined,
    })
  }

  private hostIndex(id: number, where: string): number {
    const index = this.hostIndexById.get(id)
    if (index === undefined) throw new SnapshotError(`${where} names host ${id}, which the snapshot does not list`)
    return index
  }

  private addCategory(entry: CategoryEntry): void {
    const urlsByHost: (HostUrl[] | undefined)[] = new Array(this.hosts.length).fill(undefined)
    for (const { hostId, urls } of entry.hostUrls) {
      const host = this.hosts[this.hostIndex(hostId, `category ${entry.name}`)]!
      const tail = host.public ? '">' : '" mm0:private="True">'
      urlsByHost[host.index] = urls.map((url) => {
        const scheme = schemeOf(url)
        const head = `    <url protocol="${escapeXml(scheme)}" type="${escapeXml(scheme)}" location="${host.country}" preference="`
        return { url, urlBytes: Buffer.from(url), scheme, metalinkHead: Buffer.from(head), metalinkTail: Buffer.from(`${tail}${escapeXml(url)}`) }
      })
    }
    const plainUrlByHost = urlsByHost.map((urls) => urls?.find((url) => PLAIN_SCHEMES.has(url.scheme)))
    this.categories.set(entry.id, { id: entry.id, name: entry.name, topdir: entry.topdir, urlsByHost, plainUrlByHost })
  }

  private addHostSet(id: number, hostIds: Uint8Array): void {
    if (this.hostSets.has(id)) throw new SnapshotError(`snapshot lists host set ${id} twice`)
    this.hostSetDecoder ??= new HostSetDecoder(this.hosts)
    const groups = this.hostSetDecoder.decode(hostIds)
    if (typeof groups === 'string') throw new SnapshotError(`host set ${id} ${groups}`)
    this.hostSets.set(id, groups)
    this.hostSetCount++
  }

  private addDirectory(entry: DirectoryEntry): void {
    const category = this.categories.get(entry.categoryId)
    if (!category) throw new SnapshotError(`directory ${entry.name} names unknown category ${entry.categoryId}`)
    const carriers = this.hostSets.get(entry.hostSet)
    if (!carriers) throw new SnapshotError(`directory ${entry.name} names unknown host set ${entry.hostSet}`)
    if (this.directories.has(entry.name)) throw new SnapshotError(`snapshot lists directory ${entry.name} twice`)
    // most directories have no file details: they share one empty map
    let files: ReadonlyMap<string, PreparedFile> = NO_FILES
    for (const name in entry.files) {
      const details = entry.files[name]!
      if (details.length === 0) continue
      if (files === NO_FILES) files = new Map()
      ;(files as Map<string, PreparedFile>).set(name, prepareFile(name, details))
    }
    this.directories.set(entry.name, { name: entry.name, subpath: subpathOf(entry.name, category.topdir), category, carriers, files })
  }

  private addRepository(entry: RepositoryEntry): void {
    const directory = this.directories.get(entry.directory)
    if (!directory) throw new SnapshotError(`repository ${entry.prefix}+${entry.arch} names unknown directory ${entry.directory}`)
    this.repositories.set(`${entry.prefix}+${entry.arch}`, { prefix: entry.prefix, arch: entry.arch, directory, disabled: entry.disabled })
  }

  private checkFooter(footer: FooterEntry | undefined): void {
    if (!footer) throw new SnapshotError('snapshot is truncated: no footer')
    const actual = {
      hosts: this.hosts.length,
      categories: this.categories.size,
      hostSets: this.hostSetCount,
      directories: this.directories.size,
      repositories: this.repositories.size,
    }
    for (const [key, value] of Object.entries(actual)) {
      const expected = footer[key as keyof FooterEntry]
      if (expected !== value) throw new SnapshotError(`snapshot is inconsistent: footer says ${expected} ${key}, found ${value}`)
    }
  }

  finish(): MirrorIndex {
    if (!this.header) throw new SnapshotError('snapshot is empty')
    this.checkFooter(this.footer)
    if (!this.tables) throw new SnapshotError('snapshot has no tables entry')
    const repositoryKeys = [...this.repositories.keys()].sort()
    return {
      createdAt: this.header.createdAt,
      stats: { hosts: this.hosts.length, directories: this.directories.size, repositories: this.repositories.size },
      hosts: this.hosts,
      directories: this.directories,
      repositories: this.repositories,
      repositoryListing: Buffer.from(
        repositoryKeys.map((key) => {
          const target = this.repositories.get(key)!
          return `# repo=${target.prefix}&arch=${target.arch}\n`
        }).join(''),
      ),
      repositoryRedirects: new Map(Object.entries(this.tables.repositoryRedirects)),
      countryContinentRedirects: new Map(
        Object.entries(this.tables.countryContinentRedirects).map(([country, continent]) => [country.toUpperCase(), continent.toUpperCase()]),
      ),
      netblockCountries: this.netblockCountryTable(this.tables.netblockCountries),
      hostNetblocks: this.hostNetblockTable(),
      hostsByAsn: this.asnTable(),
    }
  }

  private netblockCountryTable(entries: Record<string, string>): PrefixTable<string> {
    const table = new PrefixTable<string>()
    for (const [netblock, country] of Object.entries(entries)) {
      const cidr = parseCidr(netblock)
      if (!cidr) throw new SnapshotError(`netblock-country entry ${JSON.stringify(netblock)} is not a CIDR block`)
      table.add(cidr, country.toUpperCase())
    }
    return table.build()
  }

  /** One table entry per distinct block, valued with every host that registered it. */
  private hostNetblockTable(): PrefixTable<Int32Array> {
    const byBlock = new Map<string, { cidr: NonNullable<ReturnType<typeof parseCidr>>; hosts: number[] }>()
    this.hostEntries.forEach((entry, hostIndex) => {
      for (const netblock of entry.netblocks) {
        const cidr = parseCidr(netblock)
        if (!cidr) throw new SnapshotError(`host ${entry.id} has netblock ${JSON.stringify(netblock)}, not a CIDR block`)
        const key = `${cidr.family}:${cidr.words.join('.')}/${cidr.prefixLength}`
        const block = byBlock.get(key) ?? { cidr, hosts: [] }
        if (!block.hosts.includes(hostIndex)) block.hosts.push(hostIndex)
        byBlock.set(key, block)
      }
    })
    const table = new PrefixTable<Int32Array>()
    for (const block of byBlock.values()) table.add(block.cidr, Int32Array.from(block.hosts))
    return table.build()
  }

  private asnTable(): Map<number, Int32Array> {
    const byAsn = new Map<number, Set<number>>()
    this.hostEntries.forEach((entry, hostIndex) => {
      if (!entry.asnClients) return
      for (const asn of [entry.asn, ...entry.peerAsns]) {
        if (asn === null) continue
        const hosts = byAsn.get(asn) ?? new Set<number>()
        hosts.add(hostIndex)
        byAsn.set(asn, hosts)
      }
    })
    return new Map([...byAsn].map(([asn, hosts]) => [asn, Int32Array.from(hosts)]))
  }
}

/** Builds an index from entries already in memory (tests, tools). */
export function buildMirrorIndex(entries: Iterable<SnapshotEntry>): MirrorIndex {
  const builder = new IndexBuilder()
  for (const entry of entries) builder.add(entry)
  return builder.finish()
}
