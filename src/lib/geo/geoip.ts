/**
 * GeoIP country lookups from a MaxMind DB (.mmdb) file, read once into memory.
 *
 * Two record shapes are understood, so both MaxMind's GeoLite2/GeoIP2 Country databases
 * and the flat community databases (db-ip lite, ipinfo, iptoasn exports) work:
 *   - MaxMind: `{ country: { iso_code: "SE" } }` (else `registered_country.iso_code`)
 *   - flat:    `{ country_code: "SE" }`
 */
import { readFile } from 'node:fs/promises'
import { Reader } from 'maxmind'
import { ConfigError } from '../errors.js'
import type { ParsedIp } from '../netblocks/ip.js'

/** An address already parsed, with its canonical text (what the mirrorlist servers have of a client). */
export interface LocatedAddress {
  ip: ParsedIp
  text: string
}

export interface GeoIp {
  /** Upper-case ISO country code of an address, or undefined (unknown, private, bad input). */
  countryOf(ip: string): string | undefined
  /** The same for an address already parsed (searchTree: its words walk the tree, and the country is remembered per record). */
  countryOfAddress(address: LocatedAddress): string | undefined
  /** What was loaded, for the start-up log line. */
  readonly description: string
  /** When the database was built (epoch seconds, from its metadata). */
  readonly builtAt: number
}

interface CountryRecord {
  country?: { iso_code?: unknown }
  registered_country?: { iso_code?: unknown }
  country_code?: unknown
}

export function countryFromRecord(record: CountryRecord | null): string | undefined {
  if (!record || typeof record !== 'object') return undefined
  const code = record.country?.iso_code ?? record.country_code ?? record.registered_country?.iso_code
  return typeof code === 'string' && code !== '' ? code.toUpperCase() : undefined
}

/** `::ffff:192.0.2.1` (how node reports IPv4 peers on a dual-stack socket) -> `192.0.2.1`. */
export function unmapIpv4(ip: string): string {
  return ip.length > 7 && ip.slice(0, 7).toLowerCase() === '::ffff:' && ip.includes('.') ? ip.slice(7) : ip
}

/** Decoded records kept per worker; a country database has a few thousand distinct ones. */
export const GEOIP_RECORD_CACHE_ENTRIES = 8192

/**
 * The reader's cache of decoded records, keyed by their offset in the file. Speed: without
 * it every lookup decodes the whole record (a GeoLite2 record names its country and
 * continent in eight languages), the largest part of locating a client. Bounded by
 * starting over when full; a cached record is the same value the decoder returns.
 */
export class RecordCache {
  private entries = new Map<string | number, unknown>()

  constructor(private readonly limit = GEOIP_RECORD_CACHE_ENTRIES) {}

  get(offset: string | number): unknown {
    return this.entries.get(offset)
  }

  set(offset: string | number, value: unknown): void {
    if (this.limit === 0) return // a limit of 0 keeps nothing (decode every time)
    if (this.entries.size >= this.limit) this.entries = new Map()
    this.entries.set(offset, value)
  }

  get size(): number {
    return this.entries.size
  }
}

export function geoIpFromBuffer(buffer: Buffer, description: string, cache = new RecordCache()): GeoIp {
  // The records are untyped input: read them through our own narrow shape.
  const reader = new Reader(buffer, { cache })
  const countryOf = (ip: string): string | undefined => {
    try {
      return countryFromRecord(reader.get(unmapIpv4(ip)) as CountryRecord | null)
    } catch {
      return undefined // not an address, or an IPv6 address in an IPv4-only database
    }
  }
  const tree = searchTree(buffer, reader.metadata)
  /** record (data pointer) -> its country; bounded like the record cache */
  let countries = new Map<number, string | undefined>()
  return {
    description: `${description} (${reader.metadata.databaseType}, built ${new Date(reader.metadata.buildEpoch).toISOString().slice(0, 10)})`,
    builtAt: Math.round(reader.metadata.buildEpoch.getTime() / 1000),
    countryOf,
    countryOfAddress(address: LocatedAddress): string | undefined {
      const record = tree(address.ip)
      if (record === undefined) return undefined
      if (countries.has(record)) return countries.get(record)
      // first time at this record: the reader decodes it (found through the address's text)
      const country = countryOf(address.text)
      if (countries.size >= GEOIP_RECORD_CACHE_ENTRIES) countries = new Map()
      countries.set(record, country)
      return country
    },
  }
}

interface TreeMetadata {
  nodeCount: number
  recordSize: number
  ipVersion: number
}

/**
 * The search tree of a MaxMind DB file (MaxMind DB File Format Specification 2.0, "Search
 * Tree Section"): the data record an address falls in, as its record value (a number
 * greater than the node count), or undefined when the address is not in the database.
 *
 * Speed: the reader takes an address as text, so every lookup parses it again (with a
 * regular expression and splits) and walks the tree one record per bit through small
 * closures; the mirrorlist server has the address parsed already (ParsedIp). Walking with
 * its words and remembering the country per record took the GeoIP lookup from ~3.5 % of a
 * worker's time under load to ~0.2 % (a perf profile; bench/RESULTS-server.md).
 */
export function searchTree(buffer: Buffer, metadata: TreeMetadata): (ip: ParsedIp) => number | undefined {
  const { nodeCount, recordSize, ipVersion } = metadata
  const nodeBytes = recordSize / 4
  if (recordSize !== 24 && recordSize !== 28 && recordSize !== 32) throw new Error(`unsupported MaxMind DB record size ${recordSize}`)
  const bigEndian24 = (at: number) => (buffer[at]! << 16) | (buffer[at + 1]! << 8) | buffer[at + 2]!
  const child = (node: number, right: boolean): number => {
    const at = node * nodeBytes
    if (recordSize === 24) return bigEndian24(right ? at + 3 : at)
    if (recordSize === 28) return right ? ((buffer[at + 3]! & 0x0f) * 0x1000000 + bigEndian24(at + 4)) : ((buffer[at + 3]! & 0xf0) * 0x100000 + bigEndian24(at))
    return buffer.readUInt32BE(right ? at + 4 : at)
  }
  // IPv4 addresses in an IPv6 tree are under ::/96: the node 96 left turns down
  let ipv4Start = 0
  if (ipVersion === 6) for (let depth = 0; depth < 96 && ipv4Start < nodeCount; depth++) ipv4Start = child(ipv4Start, false)
  return (ip) => {
    if (ip.family === 6 && ipVersion === 4) return undefined
    let node = ip.family === 4 ? ipv4Start : 0
    const words = ip.words
    for (let w = 0; w < words.length && node < nodeCount; w++) {
      const word = words[w]!
      for (let bit = 31; bit >= 0 && node < nodeCount; bit--) node = child(node, ((word >>> bit) & 1) === 1)
    }
    return node > nodeCount ? node : undefined
  }
}

export async function openGeoIp(file: string): Promise<GeoIp> {
  let buffer: Buffer
  try {
    buffer = await readFile(file)
  } catch (error) {
    throw new ConfigError(`GeoIP database ${file}: ${(error as Error).message}`, { key: 'mirrorlist.geoip', cause: error })
  }
  try {
    return geoIpFromBuffer(buffer, file)
  } catch (error) {
    throw new ConfigError(`GeoIP database ${file} is not a MaxMind DB file: ${(error as Error).message}`, { key: 'mirrorlist.geoip', cause: error })
  }
}
