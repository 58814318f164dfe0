import type { ResolvedConfig } from '../../lib/config/resolve.js'
import { bundledGeoIpFile } from '../../lib/geo/bundled-geoip.js'

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
  /** mirrorlist.family_filter */
  familyFilter: boolean
  /** seconds; 0 = no limit (mirrorlist.max_snapshot_age) */
  maxSnapshotAge: number
  logLevel: 'error' | 'warn' | 'info' | 'debug'
  /** http(s) URL the primary polls for new snapshots (mirrorlist.snapshot_url) */
  snapshotUrl?: string
  /** seconds between polls, ± jitter (mirrorlist.snapshot_poll_interval) */
  snapshotPollInterval?: number
  /** a fetched snapshot larger than this is refused (mirrorlist.snapshot_max_bytes) */
  snapshotMaxBytes?: number
  /** --require-snapshot: no snapshot at start (after the first fetch) is an error */
  requireSnapshot?: boolean
  /** set by the primary: where workers keep (and fall back to) the last snapshot that validated */
  lastGoodCopy?: string
  /** set by the primary: the compact copy of the parsed global netblocks (written by whoever parsed the file last) */
  globalNetblocksCopy?: string
}

/** Environment variables the primary hands to a forked worker. */
export const WORKER_OPTIONS_ENV = 'MM_MIRRORLIST_WORKER_OPTIONS'
export const WORKER_SLOT_ENV = 'MM_MIRRORLIST_WORKER_SLOT'
/** A worker exits with this when its configuration files are unusable: do not restart it. */
export const WORKER_CONFIG_EXIT = 78

/** Unset: the CC0 country database installed with mirrormanager (README "Geolocation data"); "none": no GeoIP. */
function geoIpFile(configured: string | undefined): string | undefined {
  if (configured === 'none') return undefined
  return configured ?? bundledGeoIpFile()
}

/** The server's options from resolved configuration (flags > env > file > defaults). */
export function serverOptionsFromConfig(config: ResolvedConfig, flags: { requireSnapshot?: boolean } = {}): ServerOptions {
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
    familyFilter: config.get('mirrorlist.family_filter'),
    maxSnapshotAge: config.get('mirrorlist.max_snapshot_age'),
    logLevel: config.get('log.level') as ServerOptions['logLevel'],
    snapshotUrl: config.get('mirrorlist.snapshot_url'),
    snapshotPollInterval: config.get('mirrorlist.snapshot_poll_interval'),
    snapshotMaxBytes: config.get('mirrorlist.snapshot_max_bytes'),
    requireSnapshot: flags.requireSnapshot === true,
  }
}
