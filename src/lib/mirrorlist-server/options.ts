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
  /** set by the primary: where workers keep (and fall back to) the last snapshot that validated */
  lastGoodCopy?: string
}

/** Environment variables the primary hands to a forked worker. */
export const WORKER_OPTIONS_ENV = 'MM_MIRRORLIST_WORKER_OPTIONS'
export const WORKER_SLOT_ENV = 'MM_MIRRORLIST_WORKER_SLOT'
/** A worker exits with this when its configuration files are unusable: do not restart it. */
export const WORKER_CONFIG_EXIT = 78
