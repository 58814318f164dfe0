/**
 * The in-memory form of a snapshot, built once at load (build-index.ts) and shared by
 * every request. Everything a request looks up is keyed the way requests ask:
 * directory name, "prefix+arch", country code, ASN, client address. Nothing here is
 * mutated after load.
 */
import type { PrefixTable } from '../../netblocks/prefix-table.js'

export interface IndexedHost {
  /** dense index into MirrorIndex.hosts (what every typed array stores) */
  index: number
  /** database id */
  id: number
  name: string
  /** upper-case ISO code */
  country: string
  /** bandwidth clamped to 1..10000 (a weight for the ordering; never 0) */
  bandwidth: number
  /** neither host nor site is private: may appear in country/continent/global tiers */
  public: boolean
  /** upper-case ISO codes of the only client countries this host serves; undefined = all */
  countriesAllowed: ReadonlySet<string> | undefined
}

/**
 * One URL of a host category, split and pre-rendered for the hot path. The parts an
 * answer copies are UTF-8 bytes already: a request concatenates bytes and never encodes
 * a long string (see render-metalink.ts).
 */
export interface HostUrl {
  /** e.g. "https://mirror.example.se/fedora" (no trailing slash) */
  url: string
  /** `url` as UTF-8 */
  urlBytes: Buffer
  /** "https", "http", "rsync", "ftp": the text before the first ':' */
  scheme: string
  /** `    <url protocol="https" type="https" location="SE" preference="` */
  metalinkHead: Buffer
  /** what follows the preference: `">` or `" mm0:private="True">`, then `url` XML-escaped */
  metalinkTail: Buffer
}

export interface IndexedCategory {
  id: number
  name: string
  topdir: string
  /** dense host index -> the host's URLs in this category (undefined: no URL) */
  urlsByHost: ReadonlyArray<readonly HostUrl[] | undefined>
  /** dense host index -> the host's first https, http or ftp URL (a plain mirror list's line) */
  plainUrlByHost: ReadonlyArray<HostUrl | undefined>
}

/** Country codes numbered in ascending order, shared by every HostGroups of an index. */
export interface CountryNumbering {
  names: readonly string[]
  numbers: ReadonlyMap<string, number>
}

/**
 * The hosts that carry a directory, grouped for the tiers: public hosts grouped by
 * country (countries ascending), then the private hosts; host indexes ascending inside
 * each group (rank order). Typed-array views into shared pools, so 20,000 directories
 * cost few objects; see HostSetDecoder (host-groups.ts).
 */
export interface HostGroups {
  hosts: Int32Array
  /** country number (see numbering) of each public group, ascending */
  countries: Uint16Array
  /** group g is hosts[offsets[g] .. offsets[g + 1]); the private group follows the last country */
  offsets: Int32Array
  /** hosts[0 .. publicCount) are the public hosts */
  publicCount: number
  numbering: CountryNumbering
}

export interface PreparedFile {
  /** the metalink lines from `  <file name="...">` up to (not including) `   <resources`, UTF-8 */
  metalinkPrelude: Buffer
}

export interface IndexedDirectory {
  name: string
  /** the directory relative to its category's top directory ('' for the top itself) */
  subpath: string
  category: IndexedCategory
  carriers: HostGroups
  /** file name -> file details (only files that have details) */
  files: ReadonlyMap<string, PreparedFile>
}

export interface RepositoryTarget {
  prefix: string
  arch: string
  directory: IndexedDirectory
  disabled: boolean
}

export interface MirrorIndex {
  /** epoch seconds: when the snapshot's data was read from the database (for time=) */
  createdAt: number
  stats: { hosts: number; directories: number; repositories: number }
  hosts: readonly IndexedHost[]
  directories: ReadonlyMap<string, IndexedDirectory>
  /** key `${prefix}+${arch}` */
  repositories: ReadonlyMap<string, RepositoryTarget>
  /** `# repo=<prefix>&arch=<arch>\n` for every known pair, sorted: the 404 listing (UTF-8) */
  repositoryListing: Buffer
  repositoryRedirects: ReadonlyMap<string, string>
  countryContinentRedirects: ReadonlyMap<string, string>
  /** client address -> country override */
  netblockCountries: PrefixTable<string>
  /** client address -> dense indexes of the hosts that registered that block */
  hostNetblocks: PrefixTable<Int32Array>
  /** ASN -> dense indexes of the hosts serving clients of that ASN (own or peer ASN) */
  hostsByAsn: ReadonlyMap<number, Int32Array>
}
