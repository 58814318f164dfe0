import { isIPv4, isIPv6 } from 'node:net'

/** An IP address as a number: 32 bits for IPv4, 128 for IPv6. */
export interface IpAddress {
  version: 4 | 6
  value: bigint
}

export function addressBits(version: 4 | 6): number {
  return version === 4 ? 32 : 128
}

function parseIPv4(text: string): bigint {
  return text.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n)
}

function parseIPv6(text: string): bigint {
  let body = text
  let tail: bigint[] = []
  const lastColon = body.lastIndexOf(':')
  if (body.slice(lastColon + 1).includes('.')) {
    // An embedded IPv4 address (::ffff:192.0.2.1) is the last two 16-bit groups.
    const v4 = parseIPv4(body.slice(lastColon + 1))
    tail = [v4 >> 16n, v4 & 0xffffn]
    body = body.slice(0, lastColon + 1) + '0' // placeholder group, dropped below
  }
  const [head, rest] = body.includes('::') ? body.split('::') : [body, undefined]
  const groups = (part: string | undefined) => (part ? part.split(':').map((g) => BigInt(parseInt(g, 16))) : [])
  let left = groups(head)
  let right = rest === undefined ? [] : groups(rest)
  if (tail.length) {
    if (rest === undefined) left = [...left.slice(0, -1), ...tail]
    else right = [...right.slice(0, -1), ...tail]
  }
  const fill = 8 - left.length - right.length
  const all = [...left, ...Array<bigint>(rest === undefined ? 0 : fill).fill(0n), ...right]
  return all.reduce((value, group) => (value << 16n) | group, 0n)
}

/** Parses a literal IPv4 or IPv6 address (no zone index); undefined if it is not one. */
export function parseIpAddress(text: string): IpAddress | undefined {
  if (isIPv4(text)) return { version: 4, value: parseIPv4(text) }
  if (isIPv6(text) && !text.includes('%')) return { version: 6, value: parseIPv6(text) }
  return undefined
}

/** The canonical text of an address: dotted quad, or RFC 5952 compressed IPv6. */
export function formatIpAddress({ version, value }: IpAddress): string {
  if (version === 4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.')
  const groups = Array.from({ length: 8 }, (_, i) => (value >> BigInt(112 - 16 * i)) & 0xffffn)
  // The WHATWG URL parser compresses IPv6 exactly as RFC 5952 says; reuse it.
  return new URL(`http://[${groups.map((g) => g.toString(16)).join(':')}]/`).hostname.slice(1, -1)
}

/** The mask of a prefix length: the top `prefix` bits set. */
export function prefixMask(version: 4 | 6, prefix: number): bigint {
  const bits = BigInt(addressBits(version))
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n)
}
