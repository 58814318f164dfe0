/**
 * IP address parsing without allocation-heavy helpers: the global netblocks file has
 * ~900,000 lines, and every mirrorlist request parses one client address.
 *
 * An address is a list of 32-bit words, most significant first: one word for IPv4, four
 * for IPv6. The same comparison code then serves both families (see prefix-table.ts).
 * An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, what a dual-stack socket reports for
 * an IPv4 client) is returned as the IPv4 address, so it matches IPv4 netblocks.
 */

export type IpFamily = 4 | 6

export interface ParsedIp {
  family: IpFamily
  /** 1 word (IPv4) or 4 words (IPv6), unsigned, most significant first */
  words: number[]
}

const DOT = 46
const DIGIT_0 = 48
const DIGIT_9 = 57

/** Parses dotted-quad IPv4 to an unsigned 32-bit number; undefined when invalid.
 *  Leading zeros are refused (`010.0.0.1` is octal to some tools, decimal to others). */
export function parseIpv4Number(text: string, start = 0, end = text.length): number | undefined {
  let value = 0
  let octet = 0
  let digits = 0
  let dots = 0
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i)
    if (code === DOT) {
      if (digits === 0) return undefined
      value = value * 256 + octet
      octet = 0
      digits = 0
      dots++
      if (dots > 3) return undefined
    } else if (code >= DIGIT_0 && code <= DIGIT_9) {
      if (digits > 0 && octet === 0) return undefined // leading zero
      octet = octet * 10 + (code - DIGIT_0)
      digits++
      if (octet > 255) return undefined
    } else {
      return undefined
    }
  }
  if (dots !== 3 || digits === 0) return undefined
  return value * 256 + octet
}

const COLON = 58

/** Value of one hex digit character code, or -1. */
function hexDigit(code: number): number {
  if (code >= DIGIT_0 && code <= DIGIT_9) return code - DIGIT_0
  const lower = code | 0x20
  return lower >= 97 && lower <= 102 ? lower - 87 : -1
}

/** Parses IPv6 text (with `::` compression and an optional trailing dotted IPv4) into
 *  eight 16-bit groups; undefined when invalid. Zone ids (`%eth0`) are refused.
 *  One pass over character codes, no split/regex: IPv6 blocks are a fifth of a global
 *  netblocks file. */
export function parseIpv6Hextets(text: string): number[] | undefined {
  const end = text.length
  if (end < 2 || end > 45) return undefined
  const hextets: number[] = []
  let gapAt = -1
  let i = 0
  if (text.charCodeAt(0) === COLON) {
    if (text.charCodeAt(1) !== COLON) return undefined
    gapAt = 0
    i = 2
  }
  while (i < end) {
    let value = 0
    let digits = 0
    const groupStart = i
    for (; i < end && digits <= 4; i++) {
      const digit = hexDigit(text.charCodeAt(i))
      if (digit === -1) break
      value = value * 16 + digit
      digits++
    }
    if (i < end && text.charCodeAt(i) === DOT) {
      // trailing dotted IPv4: the last 32 bits
      const v4 = parseIpv4Number(text, groupStart, end)
      if (v4 === undefined || hextets.length > 6) return undefined
      hextets.push(Math.floor(v4 / 65536), v4 % 65536)
      break
    }
    if (digits === 0 || digits > 4) return undefined
    hextets.push(value)
    if (i === end) break
    if (text.charCodeAt(i) !== COLON) return undefined
    i++
    if (i < end && text.charCodeAt(i) === COLON) {
      if (gapAt !== -1) return undefined
      gapAt = hextets.length
      i++
    } else if (i === end) {
      return undefined // a single trailing colon
    }
  }
  if (gapAt === -1) return hextets.length === 8 ? hextets : undefined
  if (hextets.length > 7) return undefined
  hextets.splice(gapAt, 0, ...new Array<number>(8 - hextets.length).fill(0))
  return hextets
}

function hextetsToWords(hextets: number[]): number[] {
  return [
    hextets[0]! * 65536 + hextets[1]!,
    hextets[2]! * 65536 + hextets[3]!,
    hextets[4]! * 65536 + hextets[5]!,
    hextets[6]! * 65536 + hextets[7]!,
  ]
}

/** True for ::ffff:a.b.c.d */
function isV4Mapped(words: number[]): boolean {
  return words[0] === 0 && words[1] === 0 && words[2] === 0xffff
}

/** Parses an IPv4 or IPv6 address; an IPv4-mapped IPv6 address becomes IPv4. */
export function parseIp(text: string): ParsedIp | undefined {
  if (text.includes(':')) {
    const hextets = parseIpv6Hextets(text)
    if (!hextets) return undefined
    const words = hextetsToWords(hextets)
    if (isV4Mapped(words)) return { family: 4, words: [words[3]!] }
    return { family: 6, words }
  }
  const v4 = parseIpv4Number(text)
  return v4 === undefined ? undefined : { family: 4, words: [v4] }
}

/** Canonical text of an address (IPv4 dotted quad; IPv6 lower-case, longest zero run compressed). */
export function formatIp(ip: ParsedIp): string {
  if (ip.family === 4) {
    const value = ip.words[0]!
    return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`
  }
  const hextets: number[] = []
  for (const word of ip.words) hextets.push(Math.floor(word / 65536), word % 65536)
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < 8; ) {
    if (hextets[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && hextets[j] === 0) j++
    if (j - i > bestLength) {
      bestStart = i
      bestLength = j - i
    }
    i = j
  }
  const hex = hextets.map((h) => h.toString(16))
  if (bestStart === -1) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`
}
