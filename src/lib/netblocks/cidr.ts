/**
 * CIDR blocks: `192.0.2.0/24`, `2001:db8::/32`, a bare address (/32 or /128),
 * `192.0.2.0/255.255.255.0` (dotted netmask, as MirrorManager2 accepts), and IPv4-mapped
 * IPv6 blocks (`::ffff:192.0.2.0/120` is `192.0.2.0/24`). Host bits are cleared
 * (`192.0.2.7/24` is `192.0.2.0/24`), as a mirror admin typing their address means.
 */
import { formatIp, parseIp, parseIpv4Number, type IpFamily, type ParsedIp } from './ip.js'

export interface ParsedCidr {
  family: IpFamily
  /** network address words (host bits cleared) */
  words: number[]
  prefixLength: number
}

/** Prefix length of a contiguous dotted netmask (255.255.255.0 -> 24); undefined when not contiguous. */
export function netmaskPrefixLength(mask: number): number | undefined {
  let length = 0
  let bit = 0x80000000
  while (length < 32 && mask >= bit) {
    mask -= bit
    bit /= 2
    length++
  }
  return mask === 0 ? length : undefined
}

function parsePrefixLength(text: string, family: IpFamily): number | undefined {
  if (family === 4 && text.includes('.')) {
    const mask = parseIpv4Number(text)
    return mask === undefined ? undefined : netmaskPrefixLength(mask)
  }
  if (!/^\d{1,3}$/.test(text)) return undefined
  const length = Number(text)
  return length <= (family === 4 ? 32 : 128) ? length : undefined
}

/** Mask of the first `bits` bits of a 32-bit word (0..32), as an unsigned number. */
export function wordMask(bits: number): number {
  if (bits <= 0) return 0
  if (bits >= 32) return 0xffffffff
  return (0xffffffff << (32 - bits)) >>> 0
}

/** The words of the network address: host bits cleared. */
export function networkWords(words: number[], prefixLength: number): number[] {
  return words.map((word, index) => (word & wordMask(prefixLength - index * 32)) >>> 0)
}

/** The words of the last address of the block: host bits set. */
export function broadcastWords(words: number[], prefixLength: number): number[] {
  return words.map((word, index) => (word | ~wordMask(prefixLength - index * 32)) >>> 0)
}

/** Decimal prefix length at text[start..], at most `max`; undefined when not 1-3 digits. */
function parseDecimalLength(text: string, start: number, max: number): number | undefined {
  const end = text.length
  if (end - start < 1 || end - start > 3) return undefined
  let value = 0
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - 48
    if (digit < 0 || digit > 9) return undefined
    value = value * 10 + digit
  }
  return value <= max ? value : undefined
}

/** IPv4 `a.b.c.d/n` without intermediate objects: the common case of a 900,000-line
 *  global netblocks file, where parsing dominates load time. */
function parseIpv4CidrFast(text: string, slash: number): ParsedCidr | undefined {
  const address = parseIpv4Number(text, 0, slash === -1 ? text.length : slash)
  if (address === undefined) return undefined
  const prefixLength = slash === -1 ? 32 : parseDecimalLength(text, slash + 1, 32)
  if (prefixLength === undefined) return undefined
  return { family: 4, words: [(address & wordMask(prefixLength)) >>> 0], prefixLength }
}

export function parseCidr(text: string): ParsedCidr | undefined {
  const slash = text.indexOf('/')
  if (!text.includes(':') && text.indexOf('.', slash + 1) === -1) return parseIpv4CidrFast(text, slash)
  const addressText = slash === -1 ? text : text.slice(0, slash)
  const address = parseIp(addressText)
  if (!address) return undefined
  const fullLength = address.family === 4 ? 32 : 128
  let prefixLength = fullLength
  if (slash !== -1) {
    const mapped = address.family === 4 && addressText.includes(':')
    const parsed = parsePrefixLength(text.slice(slash + 1), mapped ? 6 : address.family)
    if (parsed === undefined) return undefined
    // ::ffff:a.b.c.d/n counts n over 128 bits; as IPv4 that is n - 96 (at least 0)
    prefixLength = mapped ? (parsed < 96 ? -1 : parsed - 96) : parsed
    if (prefixLength < 0) return undefined
  }
  return { family: address.family, words: networkWords(address.words, prefixLength), prefixLength }
}

/** True when `ip` lies inside `cidr` (same family only). */
export function cidrContains(cidr: ParsedCidr, ip: ParsedIp): boolean {
  if (cidr.family !== ip.family) return false
  const network = networkWords(ip.words, cidr.prefixLength)
  return network.every((word, index) => word === cidr.words[index])
}

export function formatCidr(cidr: ParsedCidr): string {
  return `${formatIp({ family: cidr.family, words: cidr.words })}/${cidr.prefixLength}`
}
