/**
 * The in-memory form of a snapshot, built once at load (build-index.ts) and shared by
 * every request. Everything a request looks up is keyed the way requests ask:
 * directory name, "prefix+arch", country code, ASN, client address. Nothing here is
 * mutated after load.
 */
import type { PrefixTable } from '../../netblocks/prefix-table.js'
import type { FileDetailEntry } from '../../snapshot/schema.js'

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
  /** what the crawler knows of its address families, for people (explain=1): e.g. "IPv4 only", "IPv4 and IPv6", "unknown" */
  families: string
}

/**
 * Family bits of a URL (HostUrl.wrongFor) and of a host in a category
 * (IndexedCategory.familyWrong): WRONG_FOR_IPV4 = known IPv6-only (the crawler connected
 * over IPv6, not over IPv4), WRONG_FOR_IPV6 = known IPv4-only. Unknown (never checked
 * on a family, or failing on both) is 0: it stays eligible for every client.
 */
export const WRONG_FOR_IPV4 = 1
export const WRONG_FOR_IPV6 = 2
/**
 * Further bits of IndexedCategory.familyWrong: some, not all, of the host's URLs in the
 * category are known-wrong for that family (the host stays; a client of that family gets
 * fewer of its URLs). TRIMMED_FOR_IPV4 = WRONG_FOR_IPV4 << 2.
 */
export const TRIMMED_FOR_IPV4 = 4
export const TRIMMED_FOR_IPV6 = 8

/** The bit that marks what a client of `family` must not be sent to. */
export function wrongBitFor(family: 4 | 6): number {
  return family === 6 ? WRONG_FOR_IPV6 : WRONG_FOR_IPV4
}

/** The bit that marks a host some of whose URLs a client of `family` must not be sent to. */
export function trimmedBitFor(family: 4 | 6): number {
  return family === 6 ? TRIMMED_FOR_IPV6 : TRIMMED_FOR_IPV4
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
  /** WRONG_FOR_IPV4 / WRONG_FOR_IPV6 bits from the crawler's per-scheme reachability (0: fine or unknown) */
  wrongFor: number
}

/** A category's URLs as a client of one address family may get them. */
export interface FamilyView {
  /** dense host index -> the URLs not known-wrong for the family (the same array as urlsByHost when none is); empty when all are */
  urlsByHost: ReadonlyArray<readonly HostUrl[] | undefined>
  /** dense host index -> the first https, http or ftp URL of those */
  plainUrlByHost: ReadonlyArray<HostUrl | undefined>
}

export interface IndexedCategory {
  id: number
  name: string
  topdir: string
  /** dense host index -> the host's URLs in this category (undefined: no URL) */
  urlsByHost: ReadonlyArray<readonly HostUrl[] | undefined>
  /** dense host index -> the host's first https, http or ftp URL (a plain mirror list's line) */
  plainUrlByHost: ReadonlyArray<HostUrl | undefined>
  /**
   * dense host index -> WRONG_FOR_* bits set when every URL of the host in this category
   * is known-wrong for that family, TRIMMED_FOR_* bits when some (not all) are. Undefined
   * when no URL of the category is known-wrong for any family (the family filter then
   * costs nothing).
   */
  familyWrong: Uint8Array | undefined
  /** the bits of familyWrong of all hosts OR-ed: a family none of whose bits is set has nothing to filter (0 without familyWrong) */
  familyBitsAny: number
  /**
   * the URL views per client family; set exactly when familyWrong is. The view of a
   * family for which no URL is known-wrong is the category itself.
   */
  familyViews: { 4: FamilyView; 6: FamilyView } | undefined
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
  /** the file details, newest first (Metalink 4 and the Digest header render from them; a few per repository) */
  details: readonly FileDetailEntry[]
}

export interface IndexedDirectory {
  name: string
  /** the directory relative to its category's top directory ('' for the top itself) */
  subpath: string
  category: IndexedCategory
  carriers: HostGroups
  /** file name -> file details (only files that have details) */
  files: ReadonlyMap<string, PreparedFile>
  /** the last URL suffix made for it (mirror-urls.ts urlSuffix): a memo, undefined until the first answer */
  suffixMemo: { file: string; pathIsDirectory: boolean; suffix: string } | undefined
}

export interface RepositoryTarget {
  prefix: string
  arch: string
  directory: IndexedDirectory
  disabled: boolean
  /** the directory of its repomd.xml (`repodata/` under it), looked up on its first metalink request; null when the index has none */
  repodata: IndexedDirectory | null | undefined
  /** the `# repo = R arch = A ` header of its answers, made on its first request */
  header: string | undefined
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
