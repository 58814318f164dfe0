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
import {
  TRIMMED_FOR_IPV4,
  TRIMMED_FOR_IPV6,
  WRONG_FOR_IPV4,
  WRONG_FOR_IPV6,
  type FamilyView,
  type HostGroups,
  type HostUrl,
  type IndexedCategory,
  type IndexedDirectory,
  type IndexedHost,
  type MirrorIndex,
  type PreparedFile,
  type RepositoryTarget,
} from './index-types.js'
import {
  READABLE_FORMAT_VERSIONS,
  SNAPSHOT_FORMAT_VERSION,
  type CategoryEntry,
  type DirectoryEntry,
  type FamilyReach,
  type FileDetailEntry,
  type FooterEntry,
  type HeaderEntry,
  type HostEntry,
  type RepositoryEntry,
  type SnapshotEntry,
  type TablesEntry,
} from '../../snapshot/schema.js'
import { pathInCategory } from '../../catalog/category-path.js'

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

/** WRONG_FOR_* bits of one scheme's reachability: only a family known to fail while the other works is wrong. */
export function wrongBitsOf(reach: FamilyReach | undefined): number {
  if (!reach) return 0
  if (reach.ipv4 === true && reach.ipv6 === false) return WRONG_FOR_IPV6
  if (reach.ipv6 === true && reach.ipv4 === false) return WRONG_FOR_IPV4
  return 0
}

/** A host's families for people, over every scheme the crawler checked. */
export function familiesOf(reachability: Record<string, FamilyReach>): string {
  let ipv4 = false
  let ipv6 = false
  let known = false
  for (const scheme in reachability) {
    const reach = reachability[scheme]!
    if (reach.ipv4 !== null || reach.ipv6 !== null) known = true
    ipv4 ||= reach.ipv4 === true
    ipv6 ||= reach.ipv6 === true
  }
  if (ipv4 && ipv6) return 'IPv4 and IPv6'
  if (ipv4) return 'IPv4 only'
  if (ipv6) return 'IPv6 only'
  return known ? 'unreachable on both families' : 'unknown'
}

function familyView(urlsByHost: readonly (HostUrl[] | undefined)[], bit: number): FamilyView {
  const urls = urlsByHost.map((list) => (list && list.some((url) => url.wrongFor & bit) ? list.filter((url) => !(url.wrongFor & bit)) : list))
  return { urlsByHost: urls, plainUrlByHost: urls.map((list) => list?.find((url) => PLAIN_SCHEMES.has(url.scheme))) }
}

function prepareFile(name: string, details: FileDetailEntry[]): PreparedFile {
  return { metalinkPrelude: Buffer.from(renderFilePrelude(name, details)), details }
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
    if (!READABLE_FORMAT_VERSIONS.includes(header.formatVersion)) {
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
      families: familiesOf(entry.reachability),
    })
  }

  private hostIndex(id: number, where: string): number {
    const index = this.hostIndexById.get(id)
    if (index === undefined) throw new SnapshotError(`${where} names host ${id}, which the snapshot does not list`)
    return index
  }

  private addCategory(entry: CategoryEntry): void {
    const urlsByHost: (HostUrl[] | undefined)[] = new Array(this.hosts.length).fill(undefined)
    let familyWrong: Uint8Array | undefined
    let familyBitsAny = 0
    for (const { hostId, urls } of entry.hostUrls) {
      const host = this.hosts[this.hostIndex(hostId, `category ${entry.name}`)]!
      const tail = host.public ? '">' : '" mm0:private="True">'
      const reachability = this.hostEntries[host.index]!.reachability
      let allWrong = WRONG_FOR_IPV4 | WRONG_FOR_IPV6
      let anyWrong = 0
      urlsByHost[host.index] = urls.map((url) => {
        const scheme = schemeOf(url)
        const head = `    <url protocol="${escapeXml(scheme)}" type="${escapeXml(scheme)}" location="${host.country}" preference="`
        const wrongFor = wrongBitsOf(reachability[scheme])
        allWrong &= wrongFor
        anyWrong |= wrongFor
        return { url, urlBytes: Buffer.from(url), scheme, metalinkHead: Buffer.from(head), metalinkTail: Buffer.from(`${tail}${escapeXml(url)}`), wrongFor }
      })
      if (urls.length > 0 && anyWrong !== 0) {
        familyWrong ??= new Uint8Array(this.hosts.length)
        // WRONG_FOR_*: the host goes; TRIMMED_FOR_* (the same bits shifted by 2): some of its URLs go
        const bits = allWrong | ((anyWrong & ~allWrong) << 2)
        familyWrong[host.index] = bits
        familyBitsAny |= bits
      }
    }
    const plainUrlByHost = urlsByHost.map((urls) => urls?.find((url) => PLAIN_SCHEMES.has(url.scheme)))
    const category: IndexedCategory = { id: entry.id, name: entry.name, topdir: entry.topdir, urlsByHost, plainUrlByHost, familyWrong, familyBitsAny, familyViews: undefined }
    if (familyWrong) {
      // Speed: per-family views exist only for a category where some URL is known-wrong, and
      // a family with nothing known-wrong "views" the category itself (same lines, same memo)
      const viewFor = (wrong: number, trimmed: number): FamilyView =>
        familyBitsAny & (wrong | trimmed) ? familyView(urlsByHost, wrong) : category
      category.familyViews = { 4: viewFor(WRONG_FOR_IPV4, TRIMMED_FOR_IPV4), 6: viewFor(WRONG_FOR_IPV6, TRIMMED_FOR_IPV6) }
    }
    this.categories.set(entry.id, category)
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
    this.directories.set(entry.name, { name: entry.name, subpath: pathInCategory(category.topdir, entry.name) ?? entry.name, category, carriers, files, suffixMemo: undefined })
  }

  private addRepository(entry: RepositoryEntry): void {
    const directory = this.directories.get(entry.directory)
    if (!directory) throw new SnapshotError(`repository ${entry.prefix}+${entry.arch} names unknown directory ${entry.directory}`)
    this.repositories.set(`${entry.prefix}+${entry.arch}`, { prefix: entry.prefix, arch: entry.arch, directory, disabled: entry.disabled, repodata: undefined, header: undefined })
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
