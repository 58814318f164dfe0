import t from 'tap'
import { MrtFormatError } from '../../src/lib/errors.js'
import { MrtReader, type MrtRoute } from '../../src/lib/netblocks/mrt-reader.js'
import { NetblockTable } from '../../src/lib/netblocks/netblock-table.js'
import { rangeToCidrs } from '../../src/lib/netblocks/asn-ranges.js'
import { globalNetblocksFromText } from '../../src/lib/netblocks/global-netblocks.js'
import { attribute, peerIndexTable, record, ribRecord, tableDumpRecord, type Peer, type Segment } from '../helpers/mrt.js'

const peers: Peer[] = [
  { bgpId: '198.51.100.1', address: '198.51.100.1', as: 64_496 },
  { bgpId: '198.51.100.2', address: '2001:db8:ffff::2', as: 4_200_000_002 },
]
const seq = (...asns: number[]): Segment => ({ kind: 'sequence', asns })
const set = (...asns: number[]): Segment => ({ kind: 'set', asns })

interface Seen {
  prefix: string
  origin: number | undefined
}

/** Feeds `bytes` in chunks of `chunkSize` and collects the routes as "prefix-bytes/len". */
function parse(bytes: Buffer, chunkSize = bytes.length): { routes: Seen[]; reader: MrtReader } {
  const routes: Seen[] = []
  const table = new NetblockTable([])
  const reader = new MrtReader((route: MrtRoute) => {
    table.addPrefixBytes(route.family, route.prefix, route.length, route.origin)
    routes.push({ prefix: `${route.family}:${Buffer.from(route.prefix).toString('hex')}/${route.length}`, origin: route.origin })
  })
  for (let i = 0; i < bytes.length; i += chunkSize) reader.push(bytes.subarray(i, i + chunkSize))
  reader.end()
  return { routes, reader }
}

function tableOf(bytes: Buffer, exclude: string[] = []): string {
  const table = new NetblockTable(exclude)
  const reader = new MrtReader((route) => table.addPrefixBytes(route.family, route.prefix, route.length, route.origin))
  reader.push(bytes)
  reader.end()
  return [...table.lines()].join('')
}

t.test('TABLE_DUMP_V2: peer index table, IPv4 and IPv6 RIBs, origin of the first entry, 4-byte ASes', async (t) => {
  const dump = Buffer.concat([
    peerIndexTable(peers, 'view-1'),
    ribRecord(0, '192.0.2.0/24', [{ peer: 0, path: [seq(64_496, 3356, 4_200_000_123)] }, { peer: 1, path: [seq(4_200_000_002, 65_000)] }], peers),
    ribRecord(1, '2001:db8:1200::/40', [{ peer: 1, path: [seq(4_200_000_002, 6939, 64_511)] }], peers),
    ribRecord(2, '10.0.0.0/8', [{ peer: 0, path: [seq(64_496, 64_497)], extras: true }], peers),
    ribRecord(3, '0.0.0.0/0', [{ peer: 0, path: [seq(64_496)] }], peers),
  ])
  for (const chunkSize of [dump.length, 1, 7, 13]) {
    const { routes, reader } = parse(dump, chunkSize)
    t.same(
      routes,
      [
        { prefix: '4:c00002/24', origin: 4_200_000_123 },
        { prefix: '6:20010db812/40', origin: 64_511 },
        { prefix: '4:0a/8', origin: 64_497 },
        { prefix: '4:/0', origin: 64_496 },
      ],
      `chunks of ${chunkSize} bytes`,
    )
    t.match(reader.statistics, { records: 5, peerIndexTables: 1, peers: 2, routes: 4, skippedRecords: 0, bytes: dump.length })
  }
  t.equal(tableOf(dump), '0.0.0.0/0 64496\n10.0.0.0/8 64497\n192.0.2.0/24 4200000123\n2001:db8:1200::/40 64511\n', 'sorted lines, IPv4 first')
  t.equal(tableOf(dump, ['0.0.0.0/0', '2001:db8:1200::/40']), '10.0.0.0/8 64497\n192.0.2.0/24 4200000123\n', 'excluded prefixes left out')
})

t.test('origin AS: AS_SET, singleton set, confederation segments, empty path', async (t) => {
  const cases: [Segment[], number | undefined, string][] = [
    [[seq(1, 2, 3)], 3, 'last AS of the sequence'],
    [[seq(1, 2), set(7, 8)], 2, 'an aggregate (AS_SET of several): the AS that aggregated'],
    [[seq(1, 2), set(9)], 9, 'a singleton AS_SET is the origin'],
    [[{ kind: 'confed-sequence', asns: [65_000, 65_001] }, seq(1, 2)], 2, 'confederation segments ignored'],
    [[seq(1, 2), { kind: 'confed-set', asns: [65_002] }], 2, 'trailing confederation set ignored'],
    [[set(5, 6)], undefined, 'only a set of several: no origin'],
    [[], undefined, 'empty path (locally originated): no origin'],
    [[seq(1), seq(4_294_967_295)], 4_294_967_295, 'the last sequence, the largest 4-byte AS'],
  ]
  let sequence = 0
  for (const [path, origin, name] of cases) {
    const { routes } = parse(Buffer.concat([peerIndexTable(peers), ribRecord(sequence++, '192.0.2.0/24', [{ peer: 0, path }], peers)]))
    t.equal(routes[0]!.origin, origin, name)
  }
  const { reader } = parse(Buffer.concat([peerIndexTable(peers), ribRecord(0, '192.0.2.0/24', [{ peer: 0, path: [] }], peers)]))
  t.equal(reader.statistics.routesWithoutOrigin, 1, 'counted')
  t.equal(tableOf(Buffer.concat([peerIndexTable(peers), ribRecord(0, '192.0.2.0/24', [{ peer: 0, path: [] }], peers)])), '', 'and left out of the table')
})

t.test('extended-length attributes and long paths', async (t) => {
  const long = Array.from({ length: 80 }, (_, i) => 64_512 + i) // 320 bytes: extended length
  const { routes } = parse(Buffer.concat([peerIndexTable(peers), ribRecord(0, '198.18.0.0/15', [{ peer: 0, path: [seq(...long)], extras: true }], peers)]))
  t.equal(routes[0]!.origin, 64_591)
})

t.test('TABLE_DUMP (type 12): 2-byte AS_PATH, AS4_PATH wins, IPv6, first record of a prefix wins', async (t) => {
  const peer = peers[0]!
  const dump = Buffer.concat([
    tableDumpRecord(0, '192.0.2.0/24', peer, [seq(64_496, 3356, 65_001)]),
    tableDumpRecord(1, '192.0.2.0/24', peer, [seq(64_496, 65_002)]),
    tableDumpRecord(2, '198.51.100.0/24', peer, [seq(64_496, 23_456)], [seq(4_200_000_777)]),
    tableDumpRecord(3, '2001:db8::/32', { ...peer, address: '2001:db8::9' }, [seq(64_496, 65_003)]),
  ])
  t.equal(tableOf(dump), '192.0.2.0/24 65001\n198.51.100.0/24 4200000777\n2001:db8::/32 65003\n')
})

t.test('other MRT types and subtypes are skipped by length', async (t) => {
  const dump = Buffer.concat([
    record(16, 4, Buffer.from('a BGP4MP message we do not read')),
    peerIndexTable(peers),
    record(13, 3, Buffer.alloc(20)), // RIB_IPV4_MULTICAST
    ribRecord(0, '192.0.2.0/24', [{ peer: 0, path: [seq(1, 2)] }], peers),
    ribRecord(1, '192.0.3.0/24', [], peers), // no entries: no route
  ])
  const { routes, reader } = parse(dump)
  t.equal(routes.length, 1)
  t.equal(reader.statistics.skippedRecords, 2)
})

t.test('truncated and malformed records: MrtFormatError naming the offset', async (t) => {
  const head = peerIndexTable(peers)
  const rib = ribRecord(0, '192.0.2.0/24', [{ peer: 0, path: [seq(1, 2, 3)] }], peers)
  const full = Buffer.concat([head, rib])
  const fails = (bytes: Buffer, pattern: RegExp, name: string) => {
    try {
      parse(bytes, 5)
      t.fail(`${name}: no error`)
    } catch (error) {
      t.type(error, MrtFormatError, name)
      t.match((error as Error).message, pattern, name)
      t.equal((error as MrtFormatError).code, 'MM_MRT_INVALID')
    }
  }
  fails(full.subarray(0, full.length - 3), new RegExp(`offset ${head.length} is truncated: ${rib.length} bytes expected, ${rib.length - 3} present`), 'cut inside a record')
  fails(full.subarray(0, head.length + 5), new RegExp(`offset ${head.length} is truncated: a 12-byte header expected`), 'cut inside a header')
  fails(Buffer.alloc(0), /empty/, 'nothing at all')
  const badLength = Buffer.from(full)
  badLength.writeUInt32BE(0xfffffff0, head.length + 8)
  fails(badLength, new RegExp(`offset ${head.length}: length \\d+ exceeds`), 'absurd record length')
  fails(ribRecord(0, '192.0.2.0/24', [{ peer: 0, path: [seq(1)] }], peers), /offset 0: RIB record before any PEER_INDEX_TABLE/, 'RIB before the peer table')
  const badPeer = Buffer.concat([head, ribRecord(0, '192.0.2.0/24', [{ peer: 0, path: [seq(1)] }], peers)])
  badPeer.writeUInt16BE(9, head.length + 12 + 4 + 1 + 3 + 2) // the entry's peer index
  fails(badPeer, /names peer 9 of 2/, 'peer index out of range')
  const badPrefix = Buffer.from(full)
  badPrefix[head.length + 12 + 4] = 33
  fails(badPrefix, /prefix length 33 is too long for IPv4/, 'prefix length too long')
  // An AS_PATH attribute whose segment claims more ASes than it holds.
  const segment = Buffer.from([2, 9, 0, 0, 0, 1])
  const attributes = attribute(2, segment)
  const body = Buffer.concat([Buffer.from([0, 0, 0, 0, 24, 192, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, attributes.length]), attributes])
  fails(Buffer.concat([head, record(13, 2, body)]), new RegExp(`offset ${head.length}: AS_PATH segment of 9 AS runs past the attribute`), 'AS_PATH segment overrun')
  const shortAttribute = Buffer.concat([Buffer.from([0, 0, 0, 0, 24, 192, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 4]), Buffer.from([0x40, 2, 9, 0])])
  fails(Buffer.concat([head, record(13, 2, shortAttribute)]), /attribute 2 of 9 bytes runs past the attributes/, 'attribute overrun')
})

t.test('the table file is what the server reads: ASN lookups by longest prefix', async (t) => {
  const dump = Buffer.concat([
    peerIndexTable(peers),
    ribRecord(0, '192.0.2.0/24', [{ peer: 0, path: [seq(64_496, 64_500)] }], peers),
    ribRecord(1, '192.0.2.128/25', [{ peer: 0, path: [seq(64_496, 64_501)] }], peers),
    ribRecord(2, '2001:db8::/32', [{ peer: 1, path: [seq(4_200_000_002, 4_200_000_010)] }], peers),
  ])
  const served = globalNetblocksFromText(tableOf(dump))
  t.equal(served.skippedLines, 0)
  t.equal(served.asnOf('192.0.2.1'), 64_500)
  t.equal(served.asnOf('192.0.2.200'), 64_501)
  t.equal(served.asnOf('2001:db8::1'), 4_200_000_010)
  t.equal(served.asnOf('198.51.100.1'), undefined)
})

t.test('NetblockTable: duplicates counted and the first kept, host bits cleared, bad exclusion refused', async (t) => {
  const table = new NetblockTable(['2001::/32'])
  table.addPrefixBytes(4, Uint8Array.from([192, 0, 2, 77]), 24, 1)
  table.addPrefixBytes(4, Uint8Array.from([192, 0, 2]), 24, 2)
  table.addPrefixBytes(6, Uint8Array.from([0x20, 0x01, 0, 0]), 32, 3)
  table.addPrefixBytes(6, Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0xff]), 36, 4)
  t.equal([...table.lines()].join(''), '192.0.2.0/24 1\n2001:db8:f000::/36 4\n')
  t.match(table.counts, { ipv4: 1, ipv6: 1, duplicates: 1, excluded: 1 })
  t.throws(() => new NetblockTable(['not-a-prefix']), { code: 'MM_INVALID_INPUT' })
})

t.test('ASN ranges to CIDR blocks: exact cover, aligned, IPv4 and IPv6', async (t) => {
  const text = (start: bigint, end: bigint, bits: number) => rangeToCidrs(start, end, bits).map((block) => `${block.network.toString(16)}/${block.length}`)
  t.same(text(0xc0000200n, 0xc00002ffn, 32), ['c0000200/24'], 'one aligned /24')
  t.same(text(0xc0000201n, 0xc0000206n, 32), ['c0000201/32', 'c0000202/31', 'c0000204/31', 'c0000206/32'])
  t.same(text(0n, 0xffffffffn, 32), ['0/0'], 'everything')
  t.same(text(0xc0000200n, 0xc0000200n, 32), ['c0000200/32'], 'one address')
  t.same(text(0x20010db8n << 96n, (0x20010db8n << 96n) | ((1n << 96n) - 1n), 128), [`${(0x20010db8n << 96n).toString(16)}/32`], 'an IPv6 /32')
  // Every block lies inside the range and they tile it.
  const start = 0x0a000003n
  const end = 0x0a0100f0n
  let next = start
  for (const block of rangeToCidrs(start, end, 32)) {
    t.equal(block.network, next)
    t.equal(block.network & ((1n << BigInt(32 - block.length)) - 1n), 0n, 'aligned')
    next = block.network + (1n << BigInt(32 - block.length))
  }
  if (next !== end + 1n) t.fail('not an exact cover')
})
