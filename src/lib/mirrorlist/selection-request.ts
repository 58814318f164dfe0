/**
 * What selection is asked (the resolved request) and the tiers it answers from: shared by
 * select.ts and explain.ts, in a file of their own so that neither imports the other's
 * module for them.
 */
import { formatIp, parseIp, type ParsedIp } from '../netblocks/ip.js'
import type { IndexedDirectory } from './index/index-types.js'

export type Tier = 'netblock' | 'asn' | 'country' | 'continent' | 'global'

export interface SelectionRequest {
  directory: IndexedDirectory
  /** file inside the directory ('' when the directory itself is asked for) */
  file: string
  /** a directory was asked for: URLs end with `/` */
  pathIsDirectory: boolean
  client: ClientAddress
  /** country= / cc= items as typed (sorted, de-duplicated); empty when not given */
  requestedCountries: readonly string[]
  /** false for netblock=0 */
  useNetblocks: boolean
  /** protocol=: the raw value (for the header) and its items; undefined when not given */
  protocol: { raw: string; items: readonly string[] } | undefined
  /** explain=1 on a server that allows it: say why each host was chosen or left out */
  explain?: boolean
  /**
   * The address-family filter (mirrorlist.family_filter, on unless false): never send a
   * client to a host or URL the crawler found reachable only over the other family.
   */
  familyFilter?: boolean
}

/**
 * The client address, parsed once per request (answer.ts) and formatted once: the
 * netblock and ASN tables look the parsed words up, GeoIP (a MaxMind reader, which
 * parses text itself) and the access log use the text.
 */
export interface ClientAddress {
  ip: ParsedIp
  /** canonical text of `ip` (an IPv4-mapped IPv6 address is the IPv4 address) */
  text: string
}

/**
 * Parses a client address; undefined when it is not one. An IPv4 address in dotted-quad
 * text is its own canonical text (parseIp refuses leading zeros and other forms), so it
 * is kept as given instead of formatted again.
 */
export function clientAddressOf(text: string): ClientAddress | undefined {
  const ip = parseIp(text)
  if (!ip) return undefined
  return { ip, text: ip.family === 4 && !text.includes(':') ? text : formatIp(ip) }
}
