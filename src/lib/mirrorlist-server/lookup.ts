/**
 * The per-worker lookup tables the selection core consults (LookupContext minus the
 * per-request clock and random source): GeoIP, the global netblocks -> ASN table and the
 * country -> continent table. Loaded once per worker; a missing optional file is a
 * warning, an unreadable configured file is a ConfigError.
 */
import type { LookupContext } from '../mirrorlist/answer.js'
import { continentLookup, loadCountryContinent } from '../geo/country-continent-file.js'
import { openGeoIp } from '../geo/geoip.js'
import { loadGlobalNetblocks } from '../netblocks/global-netblocks.js'
import type { Logger } from '../log.js'
import type { ServerOptions } from './options.js'

export type StaticLookup = Omit<LookupContext, 'now' | 'random'>

export async function buildLookup(options: ServerOptions, logger: Logger): Promise<StaticLookup> {
  let countryOf: StaticLookup['countryOf'] = () => undefined
  if (options.geoip) {
    const geoip = await openGeoIp(options.geoip)
    countryOf = geoip.countryOf
    logger.debug(`GeoIP: ${geoip.description}`)
  } else {
    logger.warn('no GeoIP database configured (--geoip): clients are not located by country, only by netblock, ASN and country=')
  }
  let asnOf: StaticLookup['asnOf'] = () => undefined
  if (options.globalNetblocks) {
    const table = await loadGlobalNetblocks(options.globalNetblocks)
    if (table.skippedLines > 0) logger.warn(`${options.globalNetblocks}: ${table.skippedLines} malformed lines skipped`)
    logger.debug(`global netblocks: ${table.entries} prefixes from ${options.globalNetblocks}`)
    asnOf = (ip) => table.asnOf(ip)
  }
  const countryContinent = options.countryContinent ? await loadCountryContinent(options.countryContinent) : undefined
  if (countryContinent && countryContinent.skippedLines > 0) {
    logger.warn(`${options.countryContinent}: ${countryContinent.skippedLines} malformed lines skipped`)
  }
  return { countryOf, asnOf, continentOf: continentLookup(countryContinent), minimum: options.minimum, explain: options.debugSelection }
}
