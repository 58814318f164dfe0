import { formatCidr, parseCidr } from '../netblocks/cidr.js'

/** A netblock as we store it, or why it cannot be imported. */
export type ConvertedNetblock = { netblock: string } | { invalid: string }

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i

/**
 * MirrorManager2 accepted netblocks as CIDR, a bare address, `ip/dotted-netmask`
 * (`192.0.2.0/255.255.255.0`) or a DNS name. We store CIDR (src/lib/netblocks parses
 * every address form: host bits cleared, IPv6 compressed, a bare address becomes /32
 * or /128) and keep DNS names as they are: generate-snapshot resolves them, as
 * MirrorManager2 did.
 */
export function convertNetblock(raw: string | null): ConvertedNetblock {
  const text = (raw ?? '').trim()
  if (!text) return { invalid: 'empty netblock' }
  const cidr = parseCidr(text)
  if (cidr) return { netblock: formatCidr(cidr) }
  if (!text.includes('/') && /[a-z]/i.test(text) && DNS_NAME.test(text)) return { netblock: text.toLowerCase() }
  return { invalid: text.includes('/') ? `bad address or netmask in ${text}` : `not an address, network or host name: ${text}` }
}
