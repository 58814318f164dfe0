import type { ResolvedConfig } from '../config/resolve.js'
import { bundledGeoIpFile } from '../geo/bundled-geoip.js'
import type { ServerOptions } from './options.js'

/** Unset: the CC0 country database installed with mirrormanager (README "Geolocation data"); "none": no GeoIP. */
function geoIpFile(configured: string | undefined): string | undefined {
  if (configured === 'none') return undefined
  return configured ?? bundledGeoIpFile()
}

/** The server's options from resolved configuration (flags > env > file > defaults). */
export function serverOptionsFromConfig(config: ResolvedConfig): ServerOptions {
  return {
    snapshot: config.get('snapshot.file'),
    listen: config.get('mirrorlist.listen'),
    port: config.get('mirrorlist.port'),
    workers: config.get('mirrorlist.workers'),
    minimum: config.get('mirrorlist.minimum'),
    geoip: geoIpFile(config.get('mirrorlist.geoip')),
    globalNetblocks: config.get('mirrorlist.global_netblocks'),
    countryContinent: config.get('mirrorlist.country_continent'),
    accessLog: config.get('mirrorlist.log'),
    trustProxy: config.get('mirrorlist.trust_proxy'),
    watch: config.get('mirrorlist.watch'),
    debugSelection: config.get('mirrorlist.debug_selection'),
    logLevel: config.get('log.level') as ServerOptions['logLevel'],
  }
}
