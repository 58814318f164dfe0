/**
 * A streaming reader of BGP routing table dumps in MRT format (RFC 6396): the RIB
 * snapshots RouteViews, RIPE RIS and Internet2 publish. It reads only what a prefix ->
 * origin AS table needs:
 *
 *   TABLE_DUMP_V2 (type 13): PEER_INDEX_TABLE (1), RIB_IPV4_UNICAST (2), RIB_IPV6_UNICAST (4)
 *   TABLE_DUMP    (type 12): AFI_IPv4 (1), AFI_IPv6 (2) — the pre-2008 format
 *
 * Every other record (BGP4MP updates, multicast and generic RIBs, ...) is skipped by its
 * length. Of a RIB record only the first RIB entry's AS_PATH is decoded (the origin AS
 * is taken from it, as MirrorManager2 does); the other entries are skipped by count.
 *
 * Origin AS (documented in README "Netblocks"): the last AS of the last AS_SEQUENCE
 * segment of the path. A path ending in an AS_SET of exactly one AS ({64500}) has that
 * AS as its origin; a path ending in a larger AS_SET (an aggregate of several origins)
 * keeps the last AS of the sequence before it — the AS that aggregated. Confederation
 * segments are ignored. A path with no usable AS (empty: a locally originated route)
 * gives no origin and the prefix is left out.
 *
 * AS numbers: TABLE_DUMP_V2 paths are always 4-byte (RFC 6396 4.3.4). TABLE_DUMP paths
 * are 2-byte; when an AS4_PATH attribute is present its last AS is the origin (AS4_PATH
 * carries the tail of the real path, RFC 6793 4.2.3), otherwise the AS_PATH's.
 *
 * The reader is a push parser: `push(chunk)` any number of times, then `end()`. Only
 * the bytes of an incomplete record are kept between chunks, so memory is bounded by
 * the largest record (capped at MAX_RECORD_BYTES), never by the dump.
 * Every input is hostile: each length is checked against its container, and an error
 * names the record's byte offset in the (decompressed) stream.
 */
import { MrtFormatError } from '../errors.js'

export const MRT_TYPE = { TABLE_DUMP: 12, TABLE_DUMP_V2: 13 } as const
export const TABLE_DUMP_V2_SUBTYPE = { PEER_INDEX_TABLE: 1, RIB_IPV4_UNICAST: 2, RIB_IPV6_UNICAST: 4 } as const
export const TABLE_DUMP_SUBTYPE = { AFI_IPV4: 1, AFI_IPV6: 2 } as const
export const BGP_ATTRIBUTE = { AS_PATH: 2, AS4_PATH: 17 } as const
export const AS_PATH_SEGMENT = { AS_SET: 1, AS_SEQUENCE: 2, AS_CONFED_SEQUENCE: 3, AS_CONFED_SET: 4 } as const

const HEADER_BYTES = 12
/** A RIB record with thousands of peers is a few hundred KB; more is a corrupt header. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024

export interface MrtRoute {
  family: 4 | 6
  /** The prefix's significant bytes (ceil(length / 8)); valid only during the callback. */
  prefix: Uint8Array
  length: number
  /** Origin AS, or undefined when the first entry's path names none. */
  origin: number | undefined
}

export interface MrtStatistics {
  records: number
  /** Records of types and subtypes this reader does not need. */
  skippedRecords: number
  peerIndexTables: number
  peers: number
  routes: number
  /** Routes without an origin AS (empty path, or only an AS_SET of several). */
  routesWithoutOrigin: number
  bytes: number
}

class RecordView {
  constructor(
    readonly bytes: Buffer,
    readonly start: number,
    readonly end: number,
    readonly offset: number,
  ) {}

  fail(what: string): never {
    throw new MrtFormatError(`MRT record at offset ${this.offset}: ${what}`, { details: { offset: this.offset } })
  }

  need(position: number, count: number, what: string): void {
    if (position + count > this.end) this.fail(`${what} runs past the end of the record`)
  }
}

/** The origin AS of an AS_PATH (or AS4_PATH) attribute value, per the rule above. */
function originOfAsPath(view: RecordView, start: number, end: number, asBytes: 2 | 4): number | undefined {
  const bytes = view.bytes
  let sequenceOrigin: number | undefined
  let endsInSingletonSet: number | undefined
  let position = start
  while (position < end) {
    if (position + 2 > end) view.fail('AS_PATH segment header runs past the attribute')
    const segmentType = bytes[position]!
    const count = bytes[position + 1]!
    position += 2
    const segmentEnd = position + count * asBytes
    if (segmentEnd > end) view.fail(`AS_PATH segment of ${count} AS runs past the attribute`)
    endsInSingletonSet = undefined
    if (count > 0) {
      const last = asBytes === 4 ? bytes.readUInt32BE(segmentEnd - 4) : bytes.readUInt16BE(segmentEnd - 2)
      if (segmentType === AS_PATH_SEGMENT.AS_SEQUENCE) sequenceOrigin = last
      else if (segmentType === AS_PATH_SEGMENT.AS_SET && count === 1) endsInSingletonSet = last
      else if (segmentType !== AS_PATH_SEGMENT.AS_SET && segmentType !== AS_PATH_SEGMENT.AS_CONFED_SEQUENCE && segmentType !== AS_PATH_SEGMENT.AS_CONFED_SET) {
        view.fail(`unknown AS_PATH segment type ${segmentType}`)
      }
    }
    position = segmentEnd
  }
  return endsInSingletonSet ?? sequenceOrigin
}

/**
 * Walks the BGP path attributes in [start, end) and returns the origin AS. `asBytes` is
 * the AS_PATH's AS size; an AS4_PATH, when present, wins (TABLE_DUMP only).
 */
function originOfAttributes(view: RecordView, start: number, end: number, asBytes: 2 | 4): number | undefined {
  const bytes = view.bytes
  let origin: number | undefined
  let as4Origin: number | undefined
  let position = start
  while (position < end) {
    if (position + 3 > end) view.fail('attribute header runs past the attributes')
    const flags = bytes[position]!
    const type = bytes[position + 1]!
    const extended = (flags & 0x10) !== 0
    if (extended && position + 4 > end) view.fail('attribute header runs past the attributes')
    const length = extended ? bytes.readUInt16BE(position + 2) : bytes[position + 2]!
    const valueStart = position + (extended ? 4 : 3)
    const valueEnd = valueStart + length
    if (valueEnd > end) view.fail(`attribute ${type} of ${length} bytes runs past the attributes`)
    if (type === BGP_ATTRIBUTE.AS_PATH) origin = originOfAsPath(view, valueStart, valueEnd, asBytes)
    else if (type === BGP_ATTRIBUTE.AS4_PATH && asBytes === 2) as4Origin = originOfAsPath(view, valueStart, valueEnd, 4)
    position = valueEnd
  }
  return as4Origin ?? origin
}

export class MrtReader {
  private pending: Buffer | undefined
  /** Stream offset of pending[0]. */
  private pendingOffset = 0
  private peerCount: number | undefined
  readonly statistics: MrtStatistics = { records: 0, skippedRecords: 0, peerIndexTables: 0, peers: 0, routes: 0, routesWithoutOrigin: 0, bytes: 0 }
  private readonly route: MrtRoute = { family: 4, prefix: new Uint8Array(0), length: 0, origin: undefined }

  constructor(private readonly onRoute: (route: MrtRoute) => void) {}

  push(chunk: Buffer): void {
    this.statistics.bytes += chunk.length
    let bytes = chunk
    const offset = this.pendingOffset
    if (this.pending) {
      // Speed: only an incomplete record's bytes are copied, once per chunk.
      bytes = Buffer.concat([this.pending, chunk])
      this.pending = undefined
    }
    let position = 0
    while (bytes.length - position >= HEADER_BYTES) {
      const length = bytes.readUInt32BE(position + 8)
      if (length > MAX_RECORD_BYTES) {
        throw new MrtFormatError(`MRT record at offset ${offset + position}: length ${length} exceeds ${MAX_RECORD_BYTES} bytes (not an MRT file, or corrupt)`, {
          details: { offset: offset + position },
        })
      }
      const end = position + HEADER_BYTES + length
      if (end > bytes.length) break
      this.record(new RecordView(bytes, position + HEADER_BYTES, end, offset + position), bytes.readUInt16BE(position + 4), bytes.readUInt16BE(position + 6))
      position = end
    }
    if (position < bytes.length) this.pending = bytes.subarray(position)
    this.pendingOffset = offset + position
  }

  /** The stream ended: a partial record left over means a truncated dump. */
  end(): MrtStatistics {
    if (this.pending && this.pending.length > 0) {
      const have = this.pending.length
      const wanted = have >= HEADER_BYTES ? `${HEADER_BYTES + this.pending.readUInt32BE(8)} bytes` : `a ${HEADER_BYTES}-byte header`
      throw new MrtFormatError(`MRT record at offset ${this.pendingOffset} is truncated: ${wanted} expected, ${have} present (incomplete download?)`, {
        details: { offset: this.pendingOffset },
      })
    }
    if (this.statistics.records === 0) throw new MrtFormatError('MRT stream is empty', { details: { offset: 0 } })
    return this.statistics
  }

  private record(view: RecordView, type: number, subtype: number): void {
    this.statistics.records++
    if (type === MRT_TYPE.TABLE_DUMP_V2) {
      if (subtype === TABLE_DUMP_V2_SUBTYPE.PEER_INDEX_TABLE) return this.peerIndexTable(view)
      if (subtype === TABLE_DUMP_V2_SUBTYPE.RIB_IPV4_UNICAST) return this.ribV2(view, 4)
      if (subtype === TABLE_DUMP_V2_SUBTYPE.RIB_IPV6_UNICAST) return this.ribV2(view, 6)
    } else if (type === MRT_TYPE.TABLE_DUMP) {
      if (subtype === TABLE_DUMP_SUBTYPE.AFI_IPV4) return this.tableDump(view, 4)
      if (subtype === TABLE_DUMP_SUBTYPE.AFI_IPV6) return this.tableDump(view, 6)
    }
    this.statistics.skippedRecords++
  }

  /** Collector BGP ID, view name, then the peers; RIB entries refer to them by index. */
  private peerIndexTable(view: RecordView): void {
    const bytes = view.bytes
    let position = view.start
    view.need(position, 6, 'PEER_INDEX_TABLE header')
    const viewNameLength = bytes.readUInt16BE(position + 4)
    position += 6
    view.need(position, viewNameLength + 2, 'PEER_INDEX_TABLE view name')
    position += viewNameLength
    const count = bytes.readUInt16BE(position)
    position += 2
    for (let peer = 0; peer < count; peer++) {
      view.need(position, 1, `peer ${peer}`)
      const peerType = bytes[position]!
      const size = 1 + 4 + (peerType & 1 ? 16 : 4) + (peerType & 2 ? 4 : 2)
      view.need(position, size, `peer ${peer}`)
      position += size
    }
    if (position !== view.end) view.fail(`${view.end - position} bytes after the last peer`)
    this.peerCount = count
    this.statistics.peerIndexTables++
    this.statistics.peers += count
  }

  /** Prefix length and bytes at `position`; returns the position after them. */
  private prefixAt(view: RecordView, position: number, family: 4 | 6): number {
    view.need(position, 1, 'prefix length')
    const length = view.bytes[position]!
    if (length > (family === 4 ? 32 : 128)) view.fail(`prefix length ${length} is too long for IPv${family}`)
    const size = (length + 7) >> 3
    view.need(position + 1, size, 'prefix')
    this.route.family = family
    this.route.length = length
    this.route.prefix = view.bytes.subarray(position + 1, position + 1 + size)
    return position + 1 + size
  }

  /** Sequence number, prefix, entry count, entries (peer index, time, attributes). */
  private ribV2(view: RecordView, family: 4 | 6): void {
    if (this.peerCount === undefined) view.fail('RIB record before any PEER_INDEX_TABLE')
    const bytes = view.bytes
    let position = this.prefixAt(view, view.start + 4, family)
    view.need(position, 2, 'RIB entry count')
    const entries = bytes.readUInt16BE(position)
    position += 2
    let origin: number | undefined
    for (let entry = 0; entry < entries; entry++) {
      view.need(position, 8, `RIB entry ${entry}`)
      const peer = bytes.readUInt16BE(position)
      if (peer >= this.peerCount) view.fail(`RIB entry ${entry} names peer ${peer} of ${this.peerCount}`)
      const attributesLength = bytes.readUInt16BE(position + 6)
      position += 8
      view.need(position, attributesLength, `RIB entry ${entry} attributes`)
      // Speed: only the first entry's attributes are read; the rest are skipped by length.
      if (entry === 0) origin = originOfAttributes(view, position, position + attributesLength, 4)
      position += attributesLength
    }
    if (position !== view.end) view.fail(`${view.end - position} bytes after the last RIB entry`)
    if (entries === 0) return
    this.emit(origin)
  }

  /** View, sequence, prefix, length, status, time, peer address and AS, attributes. */
  private tableDump(view: RecordView, family: 4 | 6): void {
    const bytes = view.bytes
    const addressBytes = family === 4 ? 4 : 16
    const fixed = 4 + addressBytes + 1 + 1 + 4 + addressBytes + 2 + 2
    view.need(view.start, fixed, 'TABLE_DUMP entry')
    const length = bytes[view.start + 4 + addressBytes]!
    if (length > addressBytes * 8) view.fail(`prefix length ${length} is too long for IPv${family}`)
    const attributesStart = view.start + fixed
    const attributesLength = bytes.readUInt16BE(attributesStart - 2)
    view.need(attributesStart, attributesLength, 'TABLE_DUMP attributes')
    if (attributesStart + attributesLength !== view.end) view.fail(`${view.end - attributesStart - attributesLength} bytes after the attributes`)
    this.route.family = family
    this.route.length = length
    this.route.prefix = bytes.subarray(view.start + 4, view.start + 4 + ((length + 7) >> 3))
    this.emit(originOfAttributes(view, attributesStart, attributesStart + attributesLength, 2))
  }

  private emit(origin: number | undefined): void {
    this.statistics.routes++
    if (origin === undefined) this.statistics.routesWithoutOrigin++
    this.route.origin = origin
    this.onRoute(this.route)
  }
}
