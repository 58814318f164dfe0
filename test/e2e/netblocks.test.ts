/**
 * netblocks global end to end: generated MRT dumps read by the CLI from files and from a
 * local HTTP server (bz2, gz, plain, a directory listing), checked against Debian's
 * `bgpdump -m` on the same files; truncated downloads and shrinkage refused with the old
 * table kept; then serve-mirrorlist --global-netblocks answering an ASN-matched request.
 */
import t from 'tap'
import { execFileSync, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { parseCidr, formatCidr } from '../../src/lib/netblocks/cidr.js'
import { loadGlobalNetblocks } from '../../src/lib/netblocks/global-netblocks.js'
import { runCli, runCliJson } from '../helpers/cli.js'
import { openTestDatabase } from '../helpers/database.js'
import { buildNetwork, OS_REL } from '../helpers/mirror-database.js'
import { get, startServer } from '../helpers/mirrorlist-server.js'
import { peerIndexTable, ribRecord, syntheticPeers, syntheticRib, tableDumpRecord, type Peer } from '../helpers/mrt.js'

const dir = mkdtempSync(join(tmpdir(), 'mm-netblocks-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

function write(name: string, bytes: Buffer): string {
  const file = join(dir, name)
  writeFileSync(file, bytes)
  return file
}
const bzip2 = (bytes: Buffer) => execFileSync('bzip2', ['-c'], { input: bytes, maxBuffer: 1 << 30 })

/**
 * The table bgpdump's view of a dump implies: the first line of each prefix, its AS
 * path's origin by our documented rule (last AS of the last sequence, a trailing
 * singleton set wins, sets of several and confederation segments do not count).
 */
function tableFromBgpdump(file: string): Map<string, number> {
  const out = execFileSync('bgpdump', ['-m', file], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }).toString()
  const table = new Map<string, number>()
  const seen = new Set<string>()
  for (const line of out.split('\n')) {
    if (!line) continue
    const fields = line.split('|')
    const prefix = formatCidr(parseCidr(fields[5]!)!)
    if (seen.has(prefix)) continue // only the first RIB entry counts, with or without an origin
    seen.add(prefix)
    const tokens = fields[6]!.split(' ')
    const last = tokens[tokens.length - 1]!
    const singleton = /^\{(\d+)\}$/.exec(last)
    const sequence = tokens.filter((token) => /^\d+$/.test(token))
    const origin = singleton ? Number(singleton[1]) : sequence.length > 0 ? Number(sequence[sequence.length - 1]) : undefined
    if (origin !== undefined) table.set(prefix, origin)
  }
  return table
}

function tableFromFile(file: string): Map<string, number> {
  const table = new Map<string, number>()
  for (const line of readFileSync(file, 'latin1').split('\n')) {
    if (!line) continue
    const [prefix, asn] = line.split(' ')
    table.set(prefix!, Number(asn))
  }
  return table
}

const v2Dump = Buffer.concat([...syntheticRib({ prefixes: 4000, peers: 5, ipv6Share: 0.25, varied: true, seed: 20 })])
const peers: Peer[] = syntheticPeers(2)
const legacyDump = Buffer.concat([
  tableDumpRecord(0, '203.0.113.0/24', peers[0]!, [{ kind: 'sequence', asns: [64_496, 23_456] }], [{ kind: 'sequence', asns: [4_200_000_777] }]),
  tableDumpRecord(1, '203.0.113.0/24', peers[0]!, [{ kind: 'sequence', asns: [64_496, 65_009] }]),
  tableDumpRecord(2, '2001:db8:77::/48', { ...peers[0]!, address: '2001:db8::9' }, [{ kind: 'sequence', asns: [64_496, 65_003] }, { kind: 'set', asns: [1, 2] }]),
])

t.test('agrees with bgpdump -m on generated TABLE_DUMP_V2 and TABLE_DUMP files', { skip: spawnSync('bgpdump', ['-T']).error ? 'bgpdump not installed' : false }, async (t) => {
  for (const [name, bytes] of [['v2.mrt', v2Dump], ['legacy.mrt', legacyDump]] as const) {
    const source = write(name, bytes)
    const output = join(dir, `${name}.txt`)
    const result = await runCliJson<{ entries: number; counts: { ipv4: number; ipv6: number } }>(['netblocks', 'global', '-o', output, '--source', source])
    t.equal(result.status, 0, result.stderr)
    const ours = tableFromFile(output)
    const theirs = tableFromBgpdump(source)
    t.ok(theirs.size > 0)
    t.same([...ours.entries()].sort(), [...theirs.entries()].sort(), `${name}: same prefixes and origins as bgpdump`)
    t.equal(result.json.entries, ours.size)
  }
  const v2 = tableFromFile(join(dir, 'v2.mrt.txt'))
  t.ok([...v2.keys()].some((prefix) => prefix.includes(':')), 'IPv6 prefixes present')
  t.ok([...v2.values()].some((asn) => asn > 0xffff), '4-byte origins present')
})

t.test('from a local HTTP server: bz2 + gz + a directory listing merged; truncated download refused; shrink protection', async (t) => {
  const v6 = Buffer.concat([
    peerIndexTable(peers),
    ribRecord(0, '2001:db8:aa::/48', [{ peer: 1, path: [{ kind: 'sequence', asns: [4_200_000_001, 64_511] }] }], peers),
    ribRecord(1, '1.0.0.0/24', [{ peer: 0, path: [{ kind: 'sequence', asns: [64_496, 99] }] }], peers), // already in the first source: it wins
  ])
  const v2Bz2 = bzip2(v2Dump)
  const files: Record<string, Buffer> = {
    '/rib.bz2': v2Bz2,
    '/truncated.bz2': v2Bz2.subarray(0, Math.floor(v2Bz2.length / 2)),
    '/truncated.mrt': v2Dump.subarray(0, v2Dump.length - 10),
    '/RIBS/rib.20260101.1200.bz2': bzip2(v6),
    '/RIBS/rib.20260101.0000.bz2': bzip2(Buffer.alloc(0)),
    '/RIBS/?C=M;O=D': Buffer.from('<a href="rib.20260101.1200.bz2">rib.20260101.1200.bz2</a>\n<a href="rib.20260101.0000.bz2">x</a>'),
    '/legacy.gz': gzipSync(legacyDump),
  }
  const server: Server = createServer((request, response) => {
    const body = files[request.url!]
    if (!body) return response.writeHead(404).end()
    response.writeHead(200, { 'content-length': body.length }).end(body)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => server.close())
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const output = join(dir, 'global_netblocks.txt')

  const merged = await runCliJson<{ entries: number; previousEntries: number; sources: { resolved: string }[] }>([
    'netblocks', 'global', '-o', output, '--source', `${base}/rib.bz2`, '--source', `${base}/RIBS/`, '--source', `${base}/legacy.gz`,
  ])
  t.equal(merged.status, 0, merged.stderr)
  t.equal(merged.json.sources[1]!.resolved, `${base}/RIBS/rib.20260101.1200.bz2`, 'the newest RIB of the listing')
  const table = tableFromFile(output)
  const v2Only = tableFromFile(join(dir, 'v2.mrt.txt'))
  t.equal(table.get('2001:db8:aa::/48'), 64_511)
  t.equal(table.get('1.0.0.0/24'), v2Only.get('1.0.0.0/24'), 'the first source naming a prefix wins')
  t.equal(table.get('203.0.113.0/24'), 4_200_000_777, 'gzip TABLE_DUMP with AS4_PATH')
  t.equal(merged.json.entries, v2Only.size + 3)
  const before = readFileSync(output)
  const mtime = statSync(output).mtimeMs

  for (const [path, pattern] of [
    ['/truncated.bz2', /bzip2 could not decompress it/],
    ['/truncated.mrt', /MRT record at offset \d+ is truncated/],
    ['/missing.bz2', /HTTP 404/],
  ] as const) {
    const result = await runCli(['netblocks', 'global', '-o', output, '--source', `${base}${path}`])
    t.not(result.status, 0, `${path}: fails`)
    t.match(result.stderr, pattern, path)
    t.same(readFileSync(output), before, `${path}: the old table is kept`)
  }
  t.equal(statSync(output).mtimeMs, mtime)

  const shrunk = await runCli(['netblocks', 'global', '-o', output, '--source', `${base}/RIBS/`])
  t.equal(shrunk.status, 6, 'a much smaller table is refused')
  t.match(shrunk.stderr, /shrank by more than 20%.*MM_TABLE_SHRUNK/s)
  t.same(readFileSync(output), before, 'the old table is kept')
  const allowed = await runCli(['netblocks', 'global', '-o', output, '--source', `${base}/RIBS/`, '--max-shrink', '1'])
  t.equal(allowed.status, 0, '--max-shrink 1 accepts it')
  t.equal(tableFromFile(output).size, 2)
  writeFileSync(output, before)
  const forced = await runCli(['netblocks', 'global', '-o', output, '--source', `${base}/RIBS/`, '--force'])
  t.equal(forced.status, 0, '--force installs it')
  const bad = await runCli(['netblocks', 'global', '-o', output, '--source', `${base}/RIBS/`, '--max-shrink', '2'])
  t.equal(bad.status, 3, 'a bad --max-shrink is a config error')
  t.match(bad.stderr, /netblocks\.max_shrink/)
})

t.test('--asn-csv: IP range -> ASN CSV (the @ip-location-db/asn format) to CIDR lines; --from-asn-package without the package', async (t) => {
  const csv = write(
    'asn-ipv4.csv',
    Buffer.from('1.0.0.0,1.0.0.255,13335,Cloudflare\n1.0.4.1,1.0.4.6,38803,"Wirefreebroadband, Pty"\n2001:db8::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,64500,Example\n'),
  )
  const output = join(dir, 'from-csv.txt')
  const result = await runCli(['netblocks', 'global', '-o', output, '--asn-csv', csv])
  t.equal(result.status, 0, result.stderr)
  t.equal(readFileSync(output, 'utf8'), '1.0.0.0/24 13335\n1.0.4.1/32 38803\n1.0.4.2/31 38803\n1.0.4.4/31 38803\n1.0.4.6/32 38803\n2001:db8::/32 64500\n')
  const bad = await runCli(['netblocks', 'global', '-o', output, '--asn-csv', write('bad.csv', Buffer.from('1.0.0.0,1.0.0.255,13335,x\n1.0.0.0,nope,1,x\n'))])
  t.equal(bad.status, 4)
  t.match(bad.stderr, /bad\.csv line 2/)
  const missing = await runCli(['netblocks', 'global', '-o', output, '--from-asn-package'])
  t.equal(missing.status, 3, 'the optional package is not installed here')
  t.match(missing.stderr, /npm install @ip-location-db\/asn/)
})

t.test('serve-mirrorlist --global-netblocks matches a client by the table\'s ASN', async (t) => {
  const db = await openTestDatabase('embedded')
  t.teardown(() => db.destroy())
  await buildNetwork(db.sql, [{ timestamp: 1732000000, size: 3190, sha256: 'a'.repeat(64) }])
  await db.sql`update host set asn = 4200000777, asn_clients = true where name = 'jp1.example'`
  await db.disconnect()
  const snapshot = join(dir, 'mirrorlist.avro')
  const generated = await runCli(['generate-snapshot', '-o', snapshot], { env: db.env })
  t.equal(generated.status, 0, generated.stderr)
  const table = join(dir, 'asn-table.txt')
  const built = await runCli(['netblocks', 'global', '-o', table, '--source', write('legacy-2.mrt', legacyDump)])
  t.equal(built.status, 0, built.stderr)
  const server = await startServer(['--snapshot', snapshot, '--workers', '2', '--global-netblocks', table])
  t.teardown(async () => {
    server.child.kill('SIGTERM')
    await server.exited
  })
  for (const worker of [1, 2]) {
    const loaded = new RegExp(`\\[worker ${worker}\\] global netblocks: \\d+ prefixes from \\S+asn-table\\.txt \\(its compact copy\\), `)
    t.match(server.stderr(), loaded, `worker ${worker} reads the copy the primary parsed`)
  }
  // connections are dealt to the workers in turn: both answer from their table
  for (let i = 0; i < 4; i++) {
    const reply = await get(server.port, '/mirrorlist?repo=fedora-41&arch=x86_64&ip=203.0.113.9')
    t.equal(reply.status, 200)
    const lines = reply.body.split('\n')
    t.match(lines[0], /Using ASN 4200000777/)
    t.equal(lines[1], `http://jp1.example/fedora/${OS_REL}/`, 'the host of that AS first')
  }
})

t.test('the compact copy of the global netblocks: used when it stands for the file, ignored when stale or damaged', async (t) => {
  const text = join(dir, 'copy-source.txt')
  const copy = join(dir, 'copy.bin')
  writeFileSync(text, '192.0.2.0/24 64500\n2001:db8::/32 64502\n# comment\nbad line\n')
  const first = await loadGlobalNetblocks(text, { compactCopy: copy })
  t.notOk(first.fromCompactCopy, 'no copy yet: the text is parsed')
  const second = await loadGlobalNetblocks(text, { compactCopy: copy })
  t.ok(second.fromCompactCopy, 'then the copy is read')
  t.same([second.entries, second.skippedLines, second.asnOf('192.0.2.7'), second.asnOf('2001:db8::1'), second.asnOf('10.0.0.1')], [2, 1, 64500, 64502, undefined])
  writeFileSync(text, '192.0.2.0/24 64501\n198.51.100.0/24 64503\n')
  const replaced = await loadGlobalNetblocks(text, { compactCopy: copy })
  t.notOk(replaced.fromCompactCopy, 'a replaced file is parsed again')
  t.same([replaced.asnOf('192.0.2.7'), replaced.asnOf('198.51.100.1'), replaced.asnOf('2001:db8::1')], [64501, 64503, undefined])
  t.ok((await loadGlobalNetblocks(text, { compactCopy: copy })).fromCompactCopy, 'and its new copy read')
  writeFileSync(copy, readFileSync(copy).subarray(0, 70))
  const damaged = await loadGlobalNetblocks(text, { compactCopy: copy })
  t.notOk(damaged.fromCompactCopy, 'a truncated copy is ignored')
  t.equal(damaged.asnOf('198.51.100.1'), 64503)
})
