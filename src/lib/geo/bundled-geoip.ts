/**
 * The GeoIP country database that comes with mirrormanager: the CC0 "geo-whois-asn-
 * country" MMDB of the npm package @ip-location-db/geo-whois-asn-country-mmdb (IP ranges
 * -> country from RIR whois and ASN data; flat `country_code` records, IPv4 and IPv6).
 * serve-mirrorlist and the demo use it when no --geoip is given, so a fresh install
 * places clients by country. Attribution and licence: README "Geolocation data".
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

export const BUNDLED_GEOIP_PACKAGE = '@ip-location-db/geo-whois-asn-country-mmdb'

/** The bundled MMDB's path, or undefined when the package is not installed. */
export function bundledGeoIpFile(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve(`${BUNDLED_GEOIP_PACKAGE}/package.json`)
    const file = join(dirname(manifest), 'geo-whois-asn-country.mmdb')
    return existsSync(file) ? file : undefined
  } catch {
    return undefined
  }
}
