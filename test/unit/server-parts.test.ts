import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createServer, get, type IncomingMessage } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import { once } from 'node:events'
import { clientAddress } from '../../src/http/client-address.js'
import { continentLookup, parseCountryContinent } from '../../src/lib/geo/country-continent-file.js'
import { countryFromRecord, geoIpFromBuffer, RecordCache, searchTree, unmapIpv4 } from '../../src/lib/geo/geoip.js'
import { clientAddressOf } from '../../src/lib/mirrorlist/selection-request.js'
import { SnapshotError } from '../../src/lib/errors.js'
import { accessLogLine } from '../../src/http/mirrorlist/access-log.js'
import { healthReport } from '../../src/http/mirrorlist/healthz.js'
import { SnapshotHolder } from '../../src/http/mirrorlist/snapshot-holder.js'
import type { MirrorIndex } from '../../src/lib/mirrorlist/index/read.js'
import { renderMetrics, RequestMetrics } from '../../src/http/mirrorlist/metrics.js'
import { nextPollDelayMs, POLL_JITTER } from '../../src/http/mirrorlist/snapshot-poller.js'
import { globalNetblocksFromText, scanGlobalNetblocks } from '../../src/lib/netblocks/global-netblocks.js'
import { ResponseBuffers } from '../../src/http/mirrorlist/response-buffers.js'

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'geoip')

t.test('GeoIP: MaxMind country.iso_code schema and the flat country_code schema give the same answers', async (t) => {
  for (const file of ['country-maxmind.mmdb', 'country-flat.mmdb']) {
    const geoip = geoIpFromBuffer(readFileSync(join(fixtures, file)), file)
    t.equal(geoip.countryOf('192.0.2.7'), 'SE', `${file}: IPv4`)
    t.equal(geoip.countryOf('198.51.100.200'), 'DE', `${file}: another range`)
    t.equal(geoip.countryOf('::ffff:203.0.113.9'), 'JP', `${file}: IPv4-mapped IPv6 as node reports peers`)
    t.equal(geoip.countryOf('2001:db8:5e::42'), 'SE', `${file}: IPv6`)
    t.equal(geoip.countryOf('10.1.2.3'), undefined, `${file}: unknown address`)
    t.equal(geoip.countryOf('not an address'), undefined, `${file}: garbage is undefined, not a throw`)
    t.equal(geoip.countryOf(''), undefined, `${file}: empty`)
  }
})

t.test('GeoIP: a parsed address walks the search tree to the same country as the reader, for every record size and tree', async (t) => {
  // addresses in, next to and outside every range of the fixtures, both families, mapped
  const addresses = ['192.0.2.0', '192.0.2.7', '192.0.2.255', '192.0.1.255', '192.0.3.0', '198.51.100.200', '203.0.113.9', '::ffff:203.0.113.9', '127.0.0.1', '127.0.0.2', '127.0.0.11', '127.255.255.255', '128.0.0.0', '126.255.255.255']
  addresses.push('10.1.2.3', '0.0.0.0', '255.255.255.255', '2001:db8:5e::42', '2001:db8:5e:ffff::1', '2001:db8:5f::1', '2001:db8:5d:ffff:ffff:ffff:ffff:ffff', '::', '::1', '2002:c000:207::1', 'ffff::1')
  for (let i = 0; i < 200; i++) addresses.push(`${(i * 37) % 256}.${(i * 101) % 256}.${(i * 59) % 256}.${i % 256}`)
  const files = ['country-maxmind.mmdb', 'country-flat.mmdb', 'country-flat-28.mmdb', 'country-flat-32.mmdb', 'country-flat-v4.mmdb', 'city.mmdb']
  for (const file of files) {
    const geoip = geoIpFromBuffer(readFileSync(join(fixtures, file)), file)
    let found = 0
    for (let round = 0; round < 2; round++) {
      for (const text of addresses) {
        const address = clientAddressOf(text)!
        const expected = geoip.countryOf(text)
        if (expected !== undefined) found++
        t.equal(geoip.countryOfAddress(address), expected, `${file}: ${text}${round ? ' (remembered record)' : ''}`)
      }
    }
    t.ok(found / 2 >= 3, `${file}: addresses of several ranges were found (${found / 2})`)
  }
  const v4Only = searchTree(readFileSync(join(fixtures, 'country-flat-v4.mmdb')), { nodeCount: 1, recordSize: 24, ipVersion: 4 })
  t.equal(v4Only(clientAddressOf('2001:db8::1')!.ip), undefined, 'an IPv6 address in an IPv4-only tree is not found')
  t.throws(() => searchTree(Buffer.alloc(8), { nodeCount: 1, recordSize: 20, ipVersion: 6 }), /record size 20/)
})

t.test('GeoIP: decoded records are cached by offset, bounded, with the same answers', async (t) => {
  const buffer = readFileSync(join(fixtures, 'country-maxmind.mmdb'))
  const cache = new RecordCache(2)
  const cached = geoIpFromBuffer(buffer, 'cached', cache)
  const none = new RecordCache(0)
  const plain = geoIpFromBuffer(buffer, 'plain', none)
  const addresses = ['192.0.2.7', '198.51.100.200', '::ffff:203.0.113.9', '2001:db8:5e::42', '10.1.2.3', '192.0.2.8']
  for (let round = 0; round < 3; round++) {
    for (const address of addresses) t.equal(cached.countryOf(address), plain.countryOf(address), `${address}, round ${round}`)
  }
  t.ok(cache.size > 0 && cache.size <= 2, `at most the bound is held: ${cache.size}`)
  t.equal(none.size, 0, 'a limit of 0 keeps nothing: the comparison is with decoding every time')
  cache.set(1, 'a')
  cache.set(2, 'b')
  cache.set(3, 'c') // full: starts over
  t.equal(cache.get(1), undefined)
  t.equal(cache.get(3), 'c')
})

t.test('GeoIP: a file that is not an mmdb is refused when opened', async (t) => {
  t.throws(() => geoIpFromBuffer(Buffer.from('this is not a MaxMind DB'), 'junk'))
})

t.test('countryFromRecord: upper-cases, prefers country over registered_country, ignores junk', async (t) => {
  t.equal(countryFromRecord({ country: { iso_code: 'se' } }), 'SE')
  t.equal(countryFromRecord({ registered_country: { iso_code: 'DE' } }), 'DE')
  t.equal(countryFromRecord({ country: { iso_code: 'FR' }, registered_country: { iso_code: 'DE' } }), 'FR')
  t.equal(countryFromRecord({ country_code: 'jp' }), 'JP')
  t.equal(countryFromRecord({ country_code: 42 }), undefined)
  t.equal(countryFromRecord(null), undefined)
  t.equal(unmapIpv4('::ffff:192.0.2.1'), '192.0.2.1')
  t.equal(unmapIpv4('::FFFF:192.0.2.1'), '192.0.2.1')
  t.equal(unmapIpv4('2001:db8::1'), '2001:db8::1')
})

t.test('country-continent file overrides the built-in table, skips malformed lines', async (t) => {
  const table = parseCountryContinent('# override\nTR AS\nru,as\n\nnonsense line here\nXX\n  de   NA  # odd but allowed\n')
  t.equal(table.skippedLines, 2)
  const continentOf = continentLookup(table)
  t.equal(continentOf('TR'), 'AS')
  t.equal(continentOf('RU'), 'AS')
  t.equal(continentOf('DE'), 'NA')
  t.equal(continentOf('SE'), 'EU', 'not overridden: built-in table')
  t.equal(continentLookup(undefined)('JP'), 'AS')
})

t.test('global netblocks: longest prefix wins; blank and malformed lines are skipped and counted', async (t) => {
  const text = [
    '# comment',
    '192.0.2.0/24 64500',
    '192.0.2.128/25 AS64501',
    '',
    '2001:db8::/32 64502',
    'not-a-cidr 1',
    '198.51.100.0/24',
    '198.51.100.0/24 notanumber',
    '198.51.100.0/24 99999999999',
    '203.0.113.0/24\t64503\r',
  ].join('\n')
  const table = globalNetblocksFromText(text)
  t.equal(table.entries, 4)
  t.equal(table.skippedLines, 4)
  t.equal(table.asnOf('192.0.2.1'), 64500)
  t.equal(table.asnOf('192.0.2.200'), 64501, 'the more specific block')
  t.equal(table.asnOf('::ffff:192.0.2.200'), 64501, 'IPv4-mapped')
  t.equal(table.asnOf('2001:db8:1::1'), 64502)
  t.equal(table.asnOf('203.0.113.5'), 64503, 'tab separator and CRLF')
  t.equal(table.asnOf('10.0.0.1'), undefined)
  t.equal(table.asnOf('garbage'), undefined)
  t.equal(scanGlobalNetblocks('', () => true), 0, 'an empty file is no error')
  // the byte-level IPv4 fast path accepts exactly what parseCidr accepts
  const forms = globalNetblocksFromText(
    ['10.0.0.0/255.0.0.0 64504', '010.1.0.0/16 1', '1.2.3.4/33 1', '172.16.5.9/12 64505', '::ffff:198.18.0.0/111 64506', '198.19.0.0/024 64507', '1.2.3.4.5/8 9', '0.0.0.0/0 64508'].join('\n'),
  )
  t.same([forms.entries, forms.skippedLines], [5, 3], 'leading zero, /33 and five octets skipped')
  t.same(
    ['10.9.9.9', '172.31.1.1', '198.18.1.1', '198.19.0.7', '1.1.1.1'].map((ip) => forms.asnOf(ip)),
    [64504, 64505, 64506, 64507, 64508],
    'netmask form, host bits cleared, IPv4-mapped block, 3-digit length, /0',
  )
})

t.test('access log line: exactly the spec form, UTC date', async (t) => {
  t.equal(
    accessLogLine({ ip: '89.160.20.113', country: 'SE', repo: 'fedora-41', arch: 'x86_64' }, new Date('2026-11-23T23:59:59Z')),
    'IP: 89.160.20.113; DATE: 2026-11-23; COUNTRY: SE; REPO: fedora-41; ARCH: x86_64\n',
  )
})

t.test('metrics: counters and histograms summed over workers; snapshot gauges per worker', async (t) => {
  const one = new RequestMetrics(1)
  const two = new RequestMetrics(2)
  one.observe('metalink', 200, 'country', 0.0003)
  one.observe('metalink', 200, 'country', 0.02)
  two.observe('metalink', 200, 'country', 3)
  two.observe('mirrorlist', 404, undefined, 0.001)
  one.recordReload(true)
  two.recordReload(false)
  one.snapshotSwitched(1000, 1100)
  // reloads_total is the primary's count of reload rounds, as in its "stopped: N reloads" line
  const text = renderMetrics([one.state, two.state], { workersAlive: 2, workerRestarts: 1, reloads: { ok: 1, rejected: 1 } }, 1500)
  t.match(text, /^mirrormanager_mirrorlist_requests_total\{endpoint="metalink",status="200",tier="country"\} 3$/m)
  t.match(text, /^mirrormanager_mirrorlist_requests_total\{endpoint="mirrorlist",status="404",tier="none"\} 1$/m)
  t.match(text, /^mirrormanager_mirrorlist_request_duration_seconds_bucket\{endpoint="metalink",le="0.0005"\} 1$/m)
  t.match(text, /^mirrormanager_mirrorlist_request_duration_seconds_bucket\{endpoint="metalink",le="0.025"\} 2$/m)
  t.match(text, /^mirrormanager_mirrorlist_request_duration_seconds_bucket\{endpoint="metalink",le="2.5"\} 2$/m)
  t.match(text, /^mirrormanager_mirrorlist_request_duration_seconds_bucket\{endpoint="metalink",le="\+Inf"\} 3$/m)
  t.match(text, /^mirrormanager_mirrorlist_request_duration_seconds_count\{endpoint="metalink"\} 3$/m)
  t.match(text, /^mirrormanager_mirrorlist_reloads_total\{result="ok"\} 1$/m)
  t.match(text, /^mirrormanager_mirrorlist_reloads_total\{result="failed"\} 1$/m)
  t.match(text, /^mirrormanager_mirrorlist_snapshot_age_seconds\{worker="1"\} 500$/m)
  t.match(text, /^mirrormanager_mirrorlist_snapshot_loaded\{worker="2"\} 0$/m)
  t.match(text, /^mirrormanager_mirrorlist_worker_restarts_total 1$/m)
  t.ok(text.endsWith('\n'))
  for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
    t.match(line, /^[a-z_]+(\{[^}]*\})? [0-9.e+-]+$/, `valid sample line: ${line}`)
  }
})

t.test('--snapshot-url: poll delays spread ± the jitter around the interval; fetch results in /metrics and /healthz', async (t) => {
  t.equal(nextPollDelayMs(60, () => 0), 60_000 * (1 - POLL_JITTER), 'shortest')
  t.equal(nextPollDelayMs(60, () => 0.5), 60_000, 'middle')
  t.equal(nextPollDelayMs(60, () => 0.999999), Math.round(60_000 * (1 + POLL_JITTER * 0.999998)), 'longest')
  const delays = new Set(Array.from({ length: 50 }, () => nextPollDelayMs(60)))
  t.ok(delays.size > 40, 'servers started together do not poll in step')
  const status = { url: 'http://backend/mirrorlist.avro', results: { ok: 2, not_modified: 7, error: 1, invalid: 3 }, lastSuccessAt: 1400, lastResult: 'invalid' as const, lastError: 'snapshot http://backend/mirrorlist.avro is corrupt' }
  const text = renderMetrics([], { workersAlive: 0, workerRestarts: 0, reloads: { ok: 1, rejected: 0 }, snapshotFetch: status }, 1500)
  for (const [result, count] of Object.entries(status.results)) t.match(text, new RegExp(`^mirrormanager_mirrorlist_snapshot_fetch_total\\{result="${result}"\\} ${count}$`, 'm'))
  t.match(text, /^mirrormanager_mirrorlist_snapshot_fetch_success_age_seconds 100$/m)
  t.notMatch(renderMetrics([], { workersAlive: 0, workerRestarts: 0, reloads: { ok: 0, rejected: 0 } }, 1500), /snapshot_fetch/, 'no --snapshot-url: no fetch metrics')
  const health = healthReport(new SnapshotHolder(async () => ({}) as MirrorIndex), 1, 1_500_000, undefined, 0, status).report
  t.same(health.snapshotFetch, { url: status.url, lastSuccessAt: new Date(1_400_000).toISOString(), lastSuccessAgeSeconds: 100, lastResult: 'invalid', lastError: status.lastError })
})

function fakeRequest(remoteAddress: string | undefined, forwardedFor?: string | string[]): IncomingMessage {
  return { headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }, socket: { remoteAddress } } as unknown as IncomingMessage
}

t.test('client address: the LAST X-Forwarded-For element only when trusting a proxy', async (t) => {
  t.equal(clientAddress(fakeRequest('127.0.0.1', '1.1.1.1, 192.0.2.9'), true), '192.0.2.9')
  t.equal(clientAddress(fakeRequest('127.0.0.1', '192.0.2.9'), true), '192.0.2.9')
  t.equal(clientAddress(fakeRequest('127.0.0.1', ['1.1.1.1', '10.0.0.1, 198.51.100.4 ']), true), '198.51.100.4', 'repeated header: the last one')
  t.equal(clientAddress(fakeRequest('127.0.0.1', '1.1.1.1, 192.0.2.9'), false), '127.0.0.1', 'not trusted: the peer')
  t.equal(clientAddress(fakeRequest('::ffff:127.0.0.1'), true), '::ffff:127.0.0.1', 'no header: the peer')
  t.equal(clientAddress(fakeRequest(undefined), false), '', 'a socket already closed')
  t.equal(clientAddress(fakeRequest('127.0.0.1', 'garbage'), true), 'garbage', 'left for answerRequest to reject with 500')
})

t.test('snapshot holder: a file that fails to load leaves the previous snapshot serving', async (t) => {
  const files: Record<string, MirrorIndex | Error> = {
    good: { createdAt: 1000, stats: { hosts: 1, directories: 2, repositories: 3 } } as MirrorIndex,
    newer: { createdAt: 2000, stats: { hosts: 4, directories: 5, repositories: 6 } } as MirrorIndex,
    corrupt: new SnapshotError('not an Avro object container file'),
  }
  let loads = 0
  const holder = new SnapshotHolder(async (file) => {
    loads++
    await new Promise((resolve) => setTimeout(resolve, 5))
    const entry = files[file]
    if (entry instanceof Error) throw entry
    return entry
  })
  t.equal(healthReport(holder, 1, 0).httpStatus, 503, 'nothing loaded: 503')
  const first = await holder.reload('good')
  t.equal(first.ok, true)
  t.same(first.stats, { hosts: 1, directories: 2, repositories: 3 })
  const rejected = await holder.reload('corrupt')
  t.equal(rejected.ok, false)
  t.equal(rejected.error, 'not an Avro object container file')
  t.equal(holder.current?.index.createdAt, 1000, 'still the good one')
  const health = healthReport(holder, 1, 1_500_000, rejected.error)
  t.equal(health.httpStatus, 200)
  t.equal(health.report.snapshot?.ageSeconds, 500)
  t.equal(health.report.lastReloadError, 'not an Avro object container file')
  loads = 0
  const [a, b] = await Promise.all([holder.reload('newer'), holder.reload('newer')])
  t.equal(loads, 1, 'concurrent reloads share one load')
  t.ok(a.ok && b.ok)
  t.equal(holder.current?.index.createdAt, 2000)
})

t.test('response buffers: a body still in flight to a slow client is never written over; finished ones are reused', async (t) => {
  // 2 buffers of up to 8 MB; 4 MB bodies: far more than loopback's socket buffers take from a client that does not read
  const buffers = new ResponseBuffers(2, 8 << 20)
  const SIZE = 4 << 20
  const server = createServer((request, response) => {
    const fill = request.url!.charCodeAt(1) // GET /A, /B, ...
    const body = buffers.allocate(SIZE).fill(fill)
    response.writeHead(200, { 'Content-Length': SIZE })
    response.end(body)
    buffers.sent(response)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => server.close())
  const port = (server.address() as AddressInfo).port
  // the slow client: asks for /A, takes the first bytes, then stops reading
  const slow = connect(port, '127.0.0.1')
  slow.write('GET /A HTTP/1.1\r\nHost: x\r\n\r\n')
  const received: Buffer[] = [(await once(slow, 'data'))[0] as Buffer]
  slow.pause()
  const fetchAll = (path: string) =>
    new Promise<Buffer>((resolve, reject) => {
      get({ port, host: '127.0.0.1', path, agent: false }, (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk)).on('end', () => resolve(Buffer.concat(chunks))).on('error', reject)
      }).on('error', reject)
    })
  for (const path of ['/B', '/C', '/D', '/E']) {
    const body = await fetchAll(path)
    t.ok(body.equals(Buffer.alloc(SIZE, path.slice(1))), `${path}: its own bytes`)
  }
  t.ok(buffers.counts.reused >= 2, `the buffer of a finished answer was lent again (${JSON.stringify(buffers.counts)})`)
  slow.on('data', (chunk: Buffer) => received.push(chunk))
  slow.resume()
  const whole = Buffer.concat(received)
  await new Promise<void>((resolve) => {
    const check = () => (Buffer.concat(received).length >= whole.indexOf('\r\n\r\n') + 4 + SIZE ? resolve() : setImmediate(check))
    slow.on('data', check)
    check()
  })
  slow.destroy()
  const answer = Buffer.concat(received)
  const body = answer.subarray(answer.indexOf('\r\n\r\n') + 4)
  t.equal(body.length, SIZE)
  t.ok(body.equals(Buffer.alloc(SIZE, 'A')), 'the slow client got /A\'s bytes only: its buffer was not lent while in flight')
})
