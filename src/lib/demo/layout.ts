import { join, resolve } from 'node:path'

/** The demo's network: three public mirrors in three countries, one a release behind, and a private one. */
export interface DemoMirror {
  name: string
  country: string
  /** Releases this mirror carries (the stale one lacks the newest). */
  releases: string[]
  private?: boolean
  /** Registered netblock of a private mirror. */
  netblock?: string
  bandwidth: number
  /** Where the public mirror map (`/maps`) places it: the demo has no GeoIP City database for `host locate`. */
  location: { latitude: number; longitude: number }
}

export const DEMO_SITE = 'Demo Mirrors'
export const DEMO_PRODUCT = 'Fedora'
export const DEMO_CATEGORY = 'Fedora Linux'
export const DEMO_TOPDIR = 'pub/fedora/linux'
export const DEMO_RELEASES = ['40', '41']
export const DEMO_ARCHES = ['x86_64', 'aarch64']
/** TEST-NET-1 (RFC 5737): an address range no real client has, for `ip=` examples. */
export const DEMO_PRIVATE_NETBLOCK = '192.0.2.0/24'

export const DEMO_MIRRORS: DemoMirror[] = [
  { name: 'mirror.se.example', country: 'SE', releases: DEMO_RELEASES, bandwidth: 10000, location: { latitude: 59.33, longitude: 18.07 } },
  { name: 'mirror.de.example', country: 'DE', releases: DEMO_RELEASES, bandwidth: 1000, location: { latitude: 50.11, longitude: 8.68 } },
  { name: 'mirror.us.example', country: 'US', releases: DEMO_RELEASES.slice(0, -1), bandwidth: 1000, location: { latitude: 39.04, longitude: -77.49 } },
  { name: 'campus.example', country: 'SE', releases: DEMO_RELEASES, private: true, netblock: DEMO_PRIVATE_NETBLOCK, bandwidth: 100, location: { latitude: 57.71, longitude: 11.97 } },
]

export interface DemoLayout {
  root: string
  /** The master tree's root; the category top is `<master>/pub/fedora/linux`. */
  master: string
  mirrors: string
  dataDir: string
  config: string
  snapshot: string
  /** serve-mirrorlist's access log, which each round's `stats ingest` reads. */
  accessLog: string
}

export function demoLayout(dir: string): DemoLayout {
  const root = resolve(dir)
  return {
    root,
    master: join(root, 'master'),
    mirrors: join(root, 'mirrors'),
    dataDir: join(root, 'data'),
    config: join(root, 'mirrormanager.toml'),
    snapshot: join(root, 'mirrorlist.avro'),
    accessLog: join(root, 'mirrorlist-access.log'),
  }
}
