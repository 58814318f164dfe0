/**
 * An MRT (RFC 6396) writer for tests and bench/netblocks: PEER_INDEX_TABLE, RIB_IPV4/6_UNICAST
 * (TABLE_DUMP_V2) and TABLE_DUMP records with real BGP path attributes (ORIGIN, AS_PATH,
 * NEXT_HOP, MULTI_EXIT_DISC, COMMUNITIES, MP_REACH_NLRI, AS4_PATH), so Debian's bgpdump
 * reads the same files the parser does.
 */
import { parseCidr } from '../../src/lib/netblocks/cidr.js'
import { parseIp } from '../../src/lib/netblocks/ip.js'

export type SegmentKind = 'set' | 'sequence' | 'confed-sequence' | 'confed-set'
export interface Segment {
  kind: SegmentKind
  asns: number[]
}
const SEGMENT_TYPE: Record<SegmentKind, number> = { set: 1, sequence: 2, 'confed-sequence': 3, 'confed-set': 4 }

export interface Peer {
  bgpId: string
  address: string
  as: number
}

export interface RibEntry {
  peer: number
  path: Segment[]
  /** Adds MULTI_EXIT_DISC and COMMUNITIES (and forces an extended-length AS_PATH when long). */
  extras?: boolean
  originated?: number
}

const u8 = (value: number) => Buffer.from([value])
function u16(value: number): Buffer {
  const buffer = Buffer.alloc(2)
  buffer.writeUInt16BE(value)
  return buffer
}
function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4)
  buffer.writeUInt32BE(value >>> 0)
  return buffer
}

export function addressBytes(text: string): Buffer {
  const ip = parseIp(text)
  if (!ip) throw new Error(`bad address ${text}`)
  return Buffer.concat(ip.words.map(u32))
}

export function record(type: number, subtype: number, body: Buffer, timestamp = 1_767_225_600): Buffer {
  return Buffer.concat([u32(timestamp), u16(type), u16(subtype), u32(body.length), body])
}

export function attribute(type: number, value: Buffer, flags = 0x40, forceExtended = false): Buffer {
  const extended = forceExtended || value.length > 255
  return Buffer.concat([u8(flags | (extended ? 0x10 : 0)), u8(type), extended ? u16(value.length) : u8(value.length), value])
}

export function asPathValue(path: Segment[], asBytes: 2 | 4 = 4): Buffer {
  return Buffer.concat(
    path.map((segment) => Buffer.concat([u8(SEGMENT_TYPE[segment.kind]), u8(segment.asns.length), ...segment.asns.map((as) => (asBytes === 4 ? u32(as) : u16(as)))])),
  )
}

/** ORIGIN IGP, AS_PATH, NEXT_HOP or MP_REACH_NLRI's next hop, optionally MED and COMMUNITIES. */
export function pathAttributes(path: Segment[], options: { family: 4 | 6; nextHop: string; extras?: boolean; asBytes?: 2 | 4; as4Path?: Segment[] }): Buffer {
  const parts = [attribute(1, u8(0)), attribute(2, asPathValue(path, options.asBytes ?? 4), 0x40, options.extras === true)]
  if (options.family === 4) parts.push(attribute(3, addressBytes(options.nextHop)))
  else parts.push(attribute(14, Buffer.concat([u8(16), addressBytes(options.nextHop)]), 0x80)) // RFC 6396 4.3.4: next hop only
  if (options.extras) {
    parts.push(attribute(4, u32(100), 0x80))
    parts.push(attribute(8, Buffer.concat([u32(0xfde80064), u32(0xfde800c8)]), 0xc0))
  }
  if (options.as4Path) parts.push(attribute(17, asPathValue(options.as4Path, 4), 0xc0))
  return Buffer.concat(parts)
}

export function peerIndexTable(peers: Peer[], viewName = ''): Buffer {
  const entries = peers.map((peer) => {
    const ipv6 = peer.address.includes(':')
    const as4 = peer.as > 0xffff
    return Buffer.concat([u8((ipv6 ? 1 : 0) | (as4 ? 2 : 0)), addressBytes(peer.bgpId), addressBytes(peer.address), as4 ? u32(peer.as) : u16(peer.as)])
  })
  const name = Buffer.from(viewName)
  return record(13, 1, Buffer.concat([addressBytes('192.0.2.254'), u16(name.length), name, u16(peers.length), ...entries]))
}

function prefixBytes(prefix: string): { family: 4 | 6; length: number; bytes: Buffer } {
  const cidr = parseCidr(prefix)
  if (!cidr) throw new Error(`bad prefix ${prefix}`)
  const all = Buffer.concat(cidr.words.map(u32))
  return { family: cidr.family, length: cidr.prefixLength, bytes: all.subarray(0, (cidr.prefixLength + 7) >> 3) }
}

export function ribRecord(sequence: number, prefix: string, entries: RibEntry[], peers: Peer[]): Buffer {
  const { family, length, bytes } = prefixBytes(prefix)
  const body = [u32(sequence), u8(length), bytes, u16(entries.length)]
  for (const entry of entries) {
    const attributes = pathAttributes(entry.path, { family, nextHop: peers[entry.peer]!.address.includes(':') === (family === 6) ? peers[entry.peer]!.address : family === 4 ? '192.0.2.1' : '2001:db8::1', extras: entry.extras })
    body.push(u16(entry.peer), u32(entry.originated ?? 1_767_000_000), u16(attributes.length), attributes)
  }
  return record(13, family === 4 ? 2 : 4, Buffer.concat(body))
}

/** A TABLE_DUMP (type 12) record: one prefix as seen by one peer, 2-byte AS_PATH. */
export function tableDumpRecord(sequence: number, prefix: string, peer: Peer, path: Segment[], as4Path?: Segment[]): Buffer {
  const cidr = parseCidr(prefix)!
  const family = cidr.family
  const attributes = pathAttributes(path, { family, nextHop: peer.address, asBytes: 2, as4Path })
  return record(
    12,
    family === 4 ? 1 : 2,
    Buffer.concat([u16(0), u16(sequence), Buffer.concat(cidr.words.map(u32)), u8(cidr.prefixLength), u8(1), u32(1_767_000_000), addressBytes(peer.address), u16(peer.as > 0xffff ? 23456 : peer.as), u16(attributes.length), attributes]),
  )
}

/** A deterministic pseudo-random source (mulberry32). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface SyntheticRibOptions {
  prefixes: number
  peers: number
  seed?: number
  /** Share of IPv6 prefixes (0..1). */
  ipv6Share?: number
  /** Vary the paths: AS_SETs, 4-byte ASes, confederation segments, extended lengths. */
  varied?: boolean
}

export function syntheticPeers(count: number): Peer[] {
  return Array.from({ length: count }, (_, i) => ({
    bgpId: `198.51.100.${(i % 250) + 1}`,
    address: i % 3 === 2 ? `2001:db8:ffff::${(i + 1).toString(16)}` : `198.51.100.${(i % 250) + 1}`,
    as: i % 2 === 0 ? 64_496 + i : 4_200_000_000 + i,
  }))
}

/**
 * A synthetic RIB in batches of records: the peer index table, then `prefixes` distinct
 * prefixes in address order (IPv4 then IPv6), each seen by every peer.
 */
export function* syntheticRib(options: SyntheticRibOptions): Generator<Buffer> {
  const random = seeded(options.seed ?? 1)
  const peers = syntheticPeers(options.peers)
  yield peerIndexTable(peers, 'synthetic')
  const v6Count = Math.round(options.prefixes * (options.ipv6Share ?? 0))
  const v4Count = options.prefixes - v6Count
  let batch: Buffer[] = []
  const pathOf = (): Segment[] => {
    const origin = random() < 0.3 ? 4_200_000_000 + Math.floor(random() * 90_000_000) : 1 + Math.floor(random() * 64_000)
    const sequence = [64_496 + Math.floor(random() * 10), 3356, 1299].slice(0, 1 + Math.floor(random() * 3))
    sequence.push(origin)
    const path: Segment[] = [{ kind: 'sequence', asns: sequence }]
    if (options.varied) {
      const roll = random()
      if (roll < 0.05) path.push({ kind: 'set', asns: [origin + 1, origin + 2] })
      else if (roll < 0.08) path.push({ kind: 'set', asns: [origin + 3] })
      else if (roll < 0.1) path.unshift({ kind: 'confed-sequence', asns: [65_000, 65_001] })
      else if (roll < 0.11) path.splice(0, path.length, { kind: 'set', asns: [origin, origin + 5] })
    }
    return path
  }
  for (let i = 0; i < options.prefixes; i++) {
    let prefix: string
    if (i < v4Count) {
      // /24s spread over 1.0.0.0 - 223.255.255.0, in order: i-th /24 at a stride
      const stride = Math.max(1, Math.floor((222 * 65_536) / v4Count))
      const net = 65_536 + i * stride
      prefix = `${net >>> 16}.${(net >>> 8) & 255}.${net & 255}.0/24`
    } else {
      const j = i - v4Count
      prefix = `2001:${(0xdb9 + (j >>> 16)).toString(16)}:${(j & 0xffff).toString(16)}::/48`
    }
    const path = pathOf()
    const entries: RibEntry[] = []
    for (let peer = 0; peer < options.peers; peer++) {
      entries.push({ peer, path: peer === 0 ? path : [{ kind: 'sequence', asns: [peers[peer]!.as, ...path[path.length - 1]!.asns.slice(-1)] }], extras: options.varied && random() < 0.02 })
    }
    batch.push(ribRecord(i, prefix, entries, peers))
    if (batch.length === 1000) {
      yield Buffer.concat(batch)
      batch = []
    }
  }
  if (batch.length > 0) yield Buffer.concat(batch)
}
