import { ValidationError } from '../errors.js'
import { netmaskPrefixLength, networkWords } from '../netblocks/cidr.js'
import { formatIp, parseIp, parseIpv4Number, type ParsedIp } from '../netblocks/ip.js'

/** Prefixes shorter than these cover so many clients that adding one needs --force. */
export const LARGEST_PREFIX_WITHOUT_FORCE = { 4: 16, 6: 32 } as const

export interface NetblockOptions {
  /** Accept a DNS host name (resolved at snapshot time, as MirrorManager2 does). */
  allowHostName?: boolean
  /** Accept netblocks larger than /16 (IPv4) or /32 (IPv6). */
  force?: boolean
  /** Enforce the size limit at all (host netblocks: yes; GeoIP overrides: no). */
  limitSize?: boolean
  field?: string
}

const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/

export function isDnsHostName(text: string): boolean {
  if (text.length > 253 || !text.includes('.')) return false
  const labels = text.toLowerCase().replace(/\.$/, '').split('.')
  return labels.every((label) => HOST_LABEL.test(label)) && /[a-z]/.test(labels[labels.length - 1])
}

function prefixFromNetmask(address: ParsedIp, netmask: string, input: string, field: string): number {
  const mask = parseIpv4Number(netmask)
  const length = mask === undefined ? undefined : netmaskPrefixLength(mask)
  if (address.family !== 4 || length === undefined) {
    throw new ValidationError(`${field}: "${input}" has an invalid netmask "${netmask}"; write it as CIDR, e.g. 192.0.2.0/24`, { field })
  }
  return length
}

function parsePrefix(address: ParsedIp, text: string | undefined, input: string, field: string, mapped: boolean): number {
  if (mapped && text !== undefined) {
    // ::ffff:a.b.c.d/n counts n over 128 bits: the IPv4 block /(n - 96), as the server reads it.
    const length = /^\d{1,3}$/.test(text) ? Number(text) : -1
    if (length < 96 || length > 128) {
      throw new ValidationError(`${field}: "${input}" has an invalid prefix length "/${text}"; an IPv4-mapped block allows /96 to /128`, { field })
    }
    return length - 96
  }
  const bits = address.family === 4 ? 32 : 128
  if (text === undefined) return bits
  if (text.includes('.')) return prefixFromNetmask(address, text, input, field)
  if (!/^\d{1,3}$/.test(text) || Number(text) > bits) {
    throw new ValidationError(`${field}: "${input}" has an invalid prefix length "/${text}"; IPv${address.family} allows /0 to /${bits}`, { field })
  }
  return Number(text)
}

/**
 * A netblock in canonical CIDR form: a bare address becomes /32 or /128, an
 * address/dotted-netmask becomes /prefix, host bits must be zero. With allowHostName a
 * DNS name is kept (lower case). Netblocks larger than /16 (IPv4) or /32 (IPv6) need force.
 */
export function normalizeNetblock(input: string, options: NetblockOptions = {}): string {
  const field = options.field ?? 'netblock'
  const text = input.trim()
  const [addressText, prefixText, extra] = text.split('/')
  // The address parser the server uses; an IPv4-mapped IPv6 address (::ffff:192.0.2.1) is IPv4 there too.
  const address = addressText.includes('%') ? undefined : parseIp(addressText)
  if (!address || extra !== undefined) {
    if (options.allowHostName && prefixText === undefined && isDnsHostName(text)) return text.toLowerCase().replace(/\.$/, '')
    const what = options.allowHostName ? 'an IP address, a CIDR netblock or a DNS host name' : 'an IP address or a CIDR netblock'
    throw new ValidationError(`${field}: "${input}" is not ${what}; write it like 192.0.2.0/24 or 2001:db8::/32`, { field })
  }
  const prefix = parsePrefix(address, prefixText, input, field, address.family === 4 && addressText.includes(':'))
  const network: ParsedIp = { family: address.family, words: networkWords(address.words, prefix) }
  const cidr = `${formatIp(network)}/${prefix}`
  if (network.words.some((word, index) => word !== address.words[index])) {
    throw new ValidationError(`${field}: "${input}" has host bits set; did you mean ${cidr}?`, { field })
  }
  const largest = LARGEST_PREFIX_WITHOUT_FORCE[address.family]
  if (options.limitSize !== false && prefix < largest && !options.force) {
    throw new ValidationError(
      `${field}: ${cidr} is larger than /${largest}; it would send every client in it to this mirror. Pass --force if that is really meant`,
      { field },
    )
  }
  return cidr
}
