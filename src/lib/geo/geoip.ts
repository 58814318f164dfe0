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

export interface GeoIp {
  /** Upper-case ISO country code of an address, or undefined (unknown, private, bad input). */
  countryOf(ip: string): string | undefined
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
  return {
    description: `${description} (${reader.metadata.databaseType}, built ${new Date(reader.metadata.buildEpoch).toISOString().slice(0, 10)})`,
    builtAt: Math.round(reader.metadata.buildEpoch.getTime() / 1000),
    countryOf(ip: string): string | undefined {
      try {
        return countryFromRecord(reader.get(unmapIpv4(ip)) as CountryRecord | null)
      } catch {
        return undefined // not an address, or an IPv6 address in an IPv4-only database
      }
    },
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
