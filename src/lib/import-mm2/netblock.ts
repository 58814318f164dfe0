import { isIP, isIPv4 } from 'node:net'

/** A netblock as we store it, or why it cannot be imported. */
export type ConvertedNetblock = { netblock: string } | { invalid: string }

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i

/**
 * MirrorManager2 accepted netblocks as CIDR, a bare address, `ip/dotted-netmask`
 * (`192.0.2.0/255.255.255.0`) or a DNS name. We store CIDR (host bits cleared, IPv6
 * compressed; a bare address becomes /32 or /128) and keep DNS names as they are: they
 * are resolved when the snapshot is generated, as MirrorManager2 did.
 */
export function convertNetblock(raw: string | null): ConvertedNetblock {
  const text = (raw ?? '').trim()
  if (!text) return { invalid: 'empty netblock' }
  const slash = text.indexOf('/')
  const address = slash === -1 ? text : text.slice(0, slash)
  const family = isIP(address)
  if (family === 0) {
    if (slash === -1 && DNS_NAME.test(text) && /[a-z]/i.test(text)) return { netblock: text.toLowerCase() }
    return { invalid: `not an address, network or host name: ${text}` }
  }
  const bits = family === 4 ? 32 : 128
  const mask = slash === -1 ? String(bits) : text.slice(slash + 1)
  const prefix = family === 4 && isIPv4(mask) ? dottedNetmaskLength(mask) : /^\d{1,3}$/.test(mask) ? Number(mask) : null
  if (prefix === null || prefix > bits) return { invalid: `bad netmask in ${text}` }
  return { netblock: `${formatAddress(networkOf(parseAddress(address, family), prefix, bits), family)}/${prefix}` }
}

/** `255.255.240.0` -> 20; null for a non-contiguous mask. */
export function dottedNetmaskLength(mask: string): number | null {
  const value = parseAddress(mask, 4)
  const inverted = ~value & 0xffffffffn
  if ((inverted & (inverted + 1n)) !== 0n) return null
  return 32 - inverted.toString(2).replace(/^0+/, '').length
}

function parseAddress(address: string, family: number): bigint {
  if (family === 4) return address.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n)
  // The URL parser expands and validates IPv6 (including embedded IPv4) for us.
  const groups = new URL(`http://[${address}]/`).hostname.slice(1, -1)
  const [head, tail = ''] = groups.includes('::') ? groups.split('::') : [groups, undefined]
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const all = groups.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left
  return all.reduce((value, group) => (value << 16n) | BigInt(parseInt(group, 16)), 0n)
}

function networkOf(value: bigint, prefix: number, bits: number): bigint {
  const hostBits = BigInt(bits - prefix)
  return (value >> hostBits) << hostBits
}

function formatAddress(value: bigint, family: number): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.')
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) => ((value >> shift) & 0xffffn).toString(16))
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1)
}
