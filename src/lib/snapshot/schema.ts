/**
 * The snapshot file format: ONE Avro schema, shared by the writer (generate-snapshot)
 * and the reader (serve-mirrorlist). Bump SNAPSHOT_FORMAT_VERSION on every change to
 * the schema or to the meaning of a field; the reader refuses other versions.
 *
 * The file is an Avro object container file (deflate). Each datum is one `Entry`: a
 * union of the record types below, written in this order so the reader can build its
 * index in one pass and the writer can stream directories straight from a database
 * cursor:
 *
 *   Header, Host*, Category*, (HostSet | Directory)*, Repository*, Tables, Footer
 *
 * Shaped for the server's lookups (maps, not key/value lists):
 * - host URLs are stored once per host category (`Category.hostUrls`), never per directory;
 * - a directory names its category and a HostSet (the hosts that carry it); identical
 *   sets are stored once and shared (most directories of a category have the same set);
 * - host ids in a HostSet are sorted and delta-encoded: small varints, deflate-friendly;
 * - file details are a map filename -> details, newest first.
 * The Footer repeats the counts: a truncated file (cut at a block boundary) is detected.
 */
import avro from 'avsc'

export const SNAPSHOT_FORMAT_VERSION = 2
/**
 * Older versions the reader still accepts: their schema differs only by fields added
 * since, each with a default (Avro schema resolution fills them in). Version 1 had no
 * Host.reachability: every host's address families are unknown.
 */
export const READABLE_FORMAT_VERSIONS: readonly number[] = [1, 2]
/** Container metadata key holding the format version (readable without decoding). */
export const FORMAT_METADATA_KEY = 'mirrormanager.format_version'
/** Container metadata key holding a JSON object of counts (for validation against the previous snapshot). */
export const STATS_METADATA_KEY = 'mirrormanager.stats'
/**
 * Container metadata key holding the SHA-256 (64 hex digits) of every byte after the
 * header: the blocks with their counts, sizes and sync markers. Avro itself checks
 * nothing but the sync markers; a flipped bit inside a deflate block can decode to other
 * valid data. Optional for the reader (files of earlier versions have none), so adding it
 * did not change SNAPSHOT_FORMAT_VERSION: other Avro readers ignore unknown metadata.
 */
export const CONTENT_SHA256_METADATA_KEY = 'mirrormanager.content_sha256'

export interface HeaderEntry {
  formatVersion: number
  /** epoch seconds: when the data was read from the database */
  createdAt: number
  generator: string
}

export interface HostEntry {
  id: number
  name: string
  /** ISO code, upper case */
  country: string
  /** bandwidth_int as stored (clamped by the reader) */
  bandwidth: number
  /** host or site private: reachable by netblock/ASN only */
  private: boolean
  /** upper-case ISO codes; empty = any country */
  countriesAllowed: string[]
  /** CIDR blocks or single addresses (DNS names resolved at snapshot time) */
  netblocks: string[]
  asn: number | null
  peerAsns: number[]
  /** "serve clients of my ASN" */
  asnClients: boolean
  /**
   * What the crawler found per URL scheme ("http", "rsync", ...): could it connect over
   * IPv4 / IPv6 on its last crawl (null: not checked). Empty: never crawled per family
   * (a private host that only checks in, or a snapshot of format version 1).
   */
  reachability: Record<string, FamilyReach>
}

export interface FamilyReach {
  ipv4: boolean | null
  ipv6: boolean | null
}

export interface HostUrlsEntry {
  hostId: number
  /** non-private URLs of the host category, in id order, without trailing slash */
  urls: string[]
}

export interface CategoryEntry {
  id: number
  name: string
  /** name of the category's top directory ('' when it has none) */
  topdir: string
  hostUrls: HostUrlsEntry[]
}

export interface HostSetEntry {
  id: number
  /** host ids, ascending, delta-encoded (first, second - first, ...) as unsigned LEB128
   *  varints: bytes, not an Avro array, so the reader decodes them without allocating a
   *  JS array per set (20,000 sets at Fedora scale) */
  hostIds: Buffer
}

export interface FileDetailEntry {
  /** epoch seconds, 0 = unknown */
  timestamp: number
  /** bytes, 0 = unknown */
  size: number
  md5: string
  sha1: string
  sha256: string
  sha512: string
}

export interface DirectoryEntry {
  name: string
  categoryId: number
  /** id of an earlier HostSet entry */
  hostSet: number
  /** filename -> file details, newest first */
  files: Record<string, FileDetailEntry[]>
}

export interface RepositoryEntry {
  prefix: string
  arch: string
  directory: string
  disabled: boolean
}

export interface TablesEntry {
  /** repository prefix -> repository prefix */
  repositoryRedirects: Record<string, string>
  /** country -> continent */
  countryContinentRedirects: Record<string, string>
  /** CIDR block -> country */
  netblockCountries: Record<string, string>
}

export interface FooterEntry {
  hosts: number
  categories: number
  hostSets: number
  directories: number
  repositories: number
}

export type SnapshotEntry =
  | { Header: HeaderEntry }
  | { Host: HostEntry }
  | { Category: CategoryEntry }
  | { HostSet: HostSetEntry }
  | { Directory: DirectoryEntry }
  | { Repository: RepositoryEntry }
  | { Tables: TablesEntry }
  | { Footer: FooterEntry }

const stringArray = { type: 'array', items: 'string' }
const stringMap = { type: 'map', values: 'string' }

export const snapshotSchema = [
  {
    type: 'record',
    name: 'Header',
    fields: [
      { name: 'formatVersion', type: 'int' },
      { name: 'createdAt', type: 'long' },
      { name: 'generator', type: 'string' },
    ],
  },
  {
    type: 'record',
    name: 'Host',
    fields: [
      { name: 'id', type: 'int' },
      { name: 'name', type: 'string' },
      { name: 'country', type: 'string' },
      { name: 'bandwidth', type: 'int' },
      { name: 'private', type: 'boolean' },
      { name: 'countriesAllowed', type: stringArray },
      { name: 'netblocks', type: stringArray },
      // AS numbers are 32-bit unsigned (RFC 6793): beyond Avro's signed int
      { name: 'asn', type: ['null', 'long'] },
      { name: 'peerAsns', type: { type: 'array', items: 'long' } },
      { name: 'asnClients', type: 'boolean' },
      {
        name: 'reachability',
        type: {
          type: 'map',
          values: {
            type: 'record',
            name: 'FamilyReach',
            fields: [
              { name: 'ipv4', type: ['null', 'boolean'], default: null },
              { name: 'ipv6', type: ['null', 'boolean'], default: null },
            ],
          },
        },
        default: {},
      },
    ],
  },
  {
    type: 'record',
    name: 'Category',
    fields: [
      { name: 'id', type: 'int' },
      { name: 'name', type: 'string' },
      { name: 'topdir', type: 'string' },
      {
        name: 'hostUrls',
        type: {
          type: 'array',
          items: {
            type: 'record',
            name: 'HostUrls',
            fields: [
              { name: 'hostId', type: 'int' },
              { name: 'urls', type: stringArray },
            ],
          },
        },
      },
    ],
  },
  {
    type: 'record',
    name: 'HostSet',
    fields: [
      { name: 'id', type: 'int' },
      { name: 'hostIds', type: 'bytes' },
    ],
  },
  {
    type: 'record',
    name: 'Directory',
    fields: [
      { name: 'name', type: 'string' },
      { name: 'categoryId', type: 'int' },
      { name: 'hostSet', type: 'int' },
      {
        name: 'files',
        type: {
          type: 'map',
          values: {
            type: 'array',
            items: {
              type: 'record',
              name: 'FileDetail',
              fields: [
                { name: 'timestamp', type: 'long' },
                { name: 'size', type: 'long' },
                { name: 'md5', type: 'string' },
                { name: 'sha1', type: 'string' },
                { name: 'sha256', type: 'string' },
                { name: 'sha512', type: 'string' },
              ],
            },
          },
        },
      },
    ],
  },
  {
    type: 'record',
    name: 'Repository',
    fields: [
      { name: 'prefix', type: 'string' },
      { name: 'arch', type: 'string' },
      { name: 'directory', type: 'string' },
      { name: 'disabled', type: 'boolean' },
    ],
  },
  {
    type: 'record',
    name: 'Tables',
    fields: [
      { name: 'repositoryRedirects', type: stringMap },
      { name: 'countryContinentRedirects', type: stringMap },
      { name: 'netblockCountries', type: stringMap },
    ],
  },
  {
    type: 'record',
    name: 'Footer',
    fields: [
      { name: 'hosts', type: 'int' },
      { name: 'categories', type: 'int' },
      { name: 'hostSets', type: 'int' },
      { name: 'directories', type: 'int' },
      { name: 'repositories', type: 'int' },
    ],
  },
]

/** The Avro type of one entry. The entry union (several records) is wrapped: `{ Host: {...} }`; `['null', 'int']` is a plain `number | null`. */
export const snapshotEntryType = avro.Type.forSchema(snapshotSchema as avro.Schema, { wrapUnions: 'auto' })

/** Ascending host ids -> HostSetEntry.hostIds bytes. */
export function encodeHostIds(sortedIds: ArrayLike<number>): Buffer {
  const bytes: number[] = []
  let previous = 0
  for (let i = 0; i < sortedIds.length; i++) {
    let delta = sortedIds[i]! - previous
    if (delta < 0 || !Number.isInteger(delta)) throw new RangeError('host ids must be ascending integers')
    previous = sortedIds[i]!
    while (delta >= 0x80) {
      bytes.push((delta & 0x7f) | 0x80)
      delta = Math.floor(delta / 0x80)
    }
    bytes.push(delta)
  }
  return Buffer.from(bytes)
}
