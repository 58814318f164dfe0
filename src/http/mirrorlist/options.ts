import type { ResolvedConfig } from '../../lib/config/resolve.js'

/** What `serve-mirrorlist` runs with; the primary passes it to every worker. */
export interface ServerOptions {
  snapshot: string
  listen: string
  port: number
  workers: number
  minimum: number
  geoip?: string
  globalNetblocks?: string
  countryContinent?: string
  accessLog?: string
  trustProxy: boolean
  watch: boolean
  debugSelection: boolean
  logLevel: 'error' | 'warn' | 'info' | 'debug'
}

/** Environment variables the primary hands to a forked worker. */
export const WORKER_OPTIONS_ENV = 'MM_MIRRORLIST_WORKER_OPTIONS'
export const WORKER_SLOT_ENV = 'MM_MIRRORLIST_WORKER_SLOT'
/** A worker exits with this when its configuration files are unusable: do not restart it. */
export const WORKER_CONFIG_EXIT = 78

/** The server's options from resolved configuration (flags > env > file > defaults). */
export function serverOptionsFromConfig(config: ResolvedConfig): ServerOptions {
  return {
    snapshot: config.get('snapshot.file'),
    listen: config.get('mirrorlist.listen'),
    port: config.get('mirrorlist.port'),
    workers: config.get('mirrorlist.workers'),
    minimum: config.get('mirrorlist.minimum'),
    geoip: config.get('mirrorlist.geoip'),
    globalNetblocks: config.get('mirrorlist.global_netblocks'),
    countryContinent: config.get('mirrorlist.country_continent'),
    accessLog: config.get('mirrorlist.log'),
    trustProxy: config.get('mirrorlist.trust_proxy'),
    watch: config.get('mirrorlist.watch'),
    debugSelection: config.get('mirrorlist.debug_selection'),
    logLevel: config.get('log.level') as ServerOptions['logLevel'],
  }
}
