#!/usr/bin/env node
// In-process A/B of the address-family filter (issue 18: "< 5 % per answer"): the same
// answerRequest on one synthetic index of 450 hosts in 60 countries, with and without
// per-family reachability data, alternating rounds; the ratio of the medians is what
// the filter costs. Also the cost of the Metalink 4 rendering against Metalink 3.
//
//   npm run build && node bench/server/family-filter.js [--seconds 1] [--rounds 7] [--snapshot FILE]
//
// "on vs off" pairs answer the same request on the same index with the filter on and with
// it off (serve-mirrorlist --no-family-filter): the filter's cost alone. With --snapshot
// (e.g. the Fedora-scale one bench/server/run.js --keep leaves), also on that snapshot.
//
// "reused vs new buffer" pairs: the same answers written into a buffer lent again and
// again (what serve-mirrorlist's workers do, src/http/mirrorlist/response-buffers.ts) vs a
// new Buffer per answer (LookupContext.allocate absent).
//
// Timing on a shared machine is noisy: rounds alternate the variants so that a drift of
// the machine's load hits both, and the median of per-round ratios is reported.
import { parseArgs } from 'node:util'
import { cpus, loadavg } from 'node:os'

const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '1' }, rounds: { type: 'string', default: '7' }, snapshot: { type: 'string' } } })
const dist = new URL('../../dist/lib/', import.meta.url)
const { buildMirrorIndex } = await import(new URL('mirrorlist/index/build-index.js', dist))
const { answerRequest } = await import(new URL('mirrorlist/answer.js', dist))
const { loadSnapshot } = await import(new URL('mirrorlist/index/read.js', dist))
const { SNAPSHOT_FORMAT_VERSION, encodeHostIds } = await import(new URL('snapshot/schema.js', dist))

const DIR = 'pub/fedora/linux/updates/41/Everything/x86_64'
const V6_ONLY = { ipv4: false, ipv6: true }
function network(withFamilies, withIpv6Only = false) {
  const hosts = []
  for (let id = 1; id <= 450; id++) {
    // a third IPv4-only, a third dual-stack, a third never checked
    const reachability = !withFamilies || id % 3 === 0 ? {} : id % 3 === 1 ? { https: { ipv4: true, ipv6: false }, rsync: { ipv4: true, ipv6: false } } : { https: { ipv4: true, ipv6: true }, rsync: { ipv4: true, ipv6: false } }
    // --with IPv6-only data: one never-checked host in 45 is IPv6-only (left out for IPv4 clients), and the
    // dual-stack hosts' rsync URLs are IPv6-only (trimmed for IPv4 clients): the filter has work for IPv4 too
    if (withIpv6Only && id % 45 === 0) Object.assign(reachability, { https: V6_ONLY, rsync: V6_ONLY })
    if (withIpv6Only && id % 3 === 2) reachability.rsync = V6_ONLY
    hosts.push({ id, name: `h${id}.example`, country: `C${String.fromCharCode(65 + (id % 26))}${String.fromCharCode(65 + ((id * 7) % 23))}`.slice(1), bandwidth: 1 + (id % 1000), private: false, countriesAllowed: [], netblocks: [], asn: null, peerAsns: [], asnClients: false, reachability })
  }
  const ids = hosts.map((h) => h.id)
  const detail = { timestamp: 1700000000, size: 4567, md5: 'a'.repeat(32), sha1: 'b'.repeat(40), sha256: 'c'.repeat(64), sha512: 'd'.repeat(128) }
  return [
    { Header: { formatVersion: SNAPSHOT_FORMAT_VERSION, createdAt: 1700000000, generator: 'bench' } },
    ...hosts.map((Host) => ({ Host })),
    { Category: { id: 1, name: 'Fedora Linux', topdir: 'pub/fedora/linux', hostUrls: hosts.map((h) => ({ hostId: h.id, urls: [`https://${h.name}/fedora`, `rsync://${h.name}/fedora`] })) } },
    { HostSet: { id: 0, hostIds: encodeHostIds(ids) } },
    { Directory: { name: DIR, categoryId: 1, hostSet: 0, files: {} } },
    { Directory: { name: `${DIR}/repodata`, categoryId: 1, hostSet: 0, files: { 'repomd.xml': [detail, { ...detail, timestamp: 1690000000 }] } } },
    { Repository: { prefix: 'updates-released-f41', arch: 'x86_64', directory: DIR, disabled: false } },
    { Tables: { repositoryRedirects: {}, countryContinentRedirects: {}, netblockCountries: {} } },
    { Footer: { hosts: hosts.length, categories: 1, hostSets: 1, directories: 2, repositories: 1 } },
  ]
}
const plain = buildMirrorIndex(network(false))
const families = buildMirrorIndex(network(true))
const mixed = buildMirrorIndex(network(true, true))
const context = { countryOf: () => undefined, asnOf: () => undefined, continentOf: () => undefined, minimum: 5, now: new Date(), random: Math.random }
const request = (path, ip) => ({ path, query: 'repo=updates-released-f41&arch=x86_64', clientIp: ip })

/** Answers per CPU second (user + system of this process): the measure least moved by other work on a shared machine. */
const lent = Buffer.allocUnsafeSlow(1 << 20)
const allocate = (size) => lent.subarray(0, size)
function rate(index, req, familyFilter = true, reuse = false) {
  const answers = Math.max(50, Math.round(Number(args.seconds) * 200))
  const ctx = reuse ? { ...context, familyFilter, allocate } : { ...context, familyFilter }
  const before = process.cpuUsage()
  for (let i = 0; i < answers; i++) answerRequest(index, req, ctx)
  const used = process.cpuUsage(before)
  return answers / ((used.user + used.system) / 1e6)
}
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1]
const pairs = [
  ['family filter: global-fill metalink, IPv6 client, index with family data vs without', () => rate(families, request('/metalink', '2001:db8::1')), () => rate(plain, request('/metalink', '2001:db8::1'))],
  ['family filter: global-fill metalink, IPv4 client, index with family data vs without', () => rate(families, request('/metalink', '192.0.2.1')), () => rate(plain, request('/metalink', '192.0.2.1'))],
  ['Metalink 4 vs Metalink 3, global fill, no family data', () => rate(plain, request('/metalink4', '192.0.2.1')), () => rate(plain, request('/metalink', '192.0.2.1'))],
  ['family filter on vs off: global-fill metalink, IPv4 client (same answer), index with family data', () => rate(families, request('/metalink', '192.0.2.1'), true), () => rate(families, request('/metalink', '192.0.2.1'), false)],
  ['family filter on vs off: global-fill metalink, IPv6 client (a third of the hosts left out), index with family data', () => rate(families, request('/metalink', '2001:db8::1'), true), () => rate(families, request('/metalink', '2001:db8::1'), false)],
  ['family filter on vs off: global-fill metalink, IPv4 client, index with IPv6-only data (10 hosts left out, 150 rsync URLs trimmed)', () => rate(mixed, request('/metalink', '192.0.2.1'), true), () => rate(mixed, request('/metalink', '192.0.2.1'), false)],
]
if (args.snapshot) {
  // Fedora-scale: the global fill for a client no GeoIP database places (as bench/server/run.js asks it)
  const fedora = await loadSnapshot(args.snapshot)
  // the popular repository of the fixture (bench/server/run.js picks the same)
  const fedoraRequest = (path, ip) => ({ path, query: 'repo=updates-released-f20&arch=x86_64', clientIp: ip })
  pairs.push(
    ['family filter on vs off: Fedora-scale snapshot (no family data), global-fill metalink, IPv4 client', () => rate(fedora, fedoraRequest('/metalink', '100.64.7.9'), true), () => rate(fedora, fedoraRequest('/metalink', '100.64.7.9'), false)],
    ['family filter on vs off: Fedora-scale snapshot (no family data), global-fill metalink, IPv6 client', () => rate(fedora, fedoraRequest('/metalink', '2001:db8::7'), true), () => rate(fedora, fedoraRequest('/metalink', '2001:db8::7'), false)],
    ['reused vs new buffer: Fedora-scale snapshot, global-fill metalink', () => rate(fedora, fedoraRequest('/metalink', '100.64.7.9'), true, true), () => rate(fedora, fedoraRequest('/metalink', '100.64.7.9'), true, false)],
    ['reused vs new buffer: Fedora-scale snapshot, global-fill mirror list', () => rate(fedora, fedoraRequest('/mirrorlist', '100.64.7.9'), true, true), () => rate(fedora, fedoraRequest('/mirrorlist', '100.64.7.9'), true, false)],
  )
}
const sizes = {
  v6: answerRequest(families, request('/metalink', '2001:db8::1'), context),
  v4: answerRequest(plain, request('/metalink', '192.0.2.1'), context),
}
console.log(`Machine: ${cpus().length} × ${cpus()[0].model.trim()}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; Node ${process.version}; ${args.rounds} alternating rounds of ${Math.max(50, Math.round(Number(args.seconds) * 200))} answers per variant, answers per CPU second; bodies: v4 global-fill metalink ${sizes.v4.body.length} bytes, v6 filtered ${sizes.v6.body.length} bytes`)
for (const [name, a, b] of pairs) {
  a(), b() // warm-up
  const ratios = []
  const as = []
  const bs = []
  for (let round = 0; round < Number(args.rounds); round++) {
    const ra = a()
    const rb = b()
    as.push(ra)
    bs.push(rb)
    ratios.push(ra / rb)
  }
  console.log(`- ${name}: ${Math.round(median(as))} vs ${Math.round(median(bs))} answers/s, ratio ${median(ratios).toFixed(3)} (rounds ${ratios.map((r) => r.toFixed(2)).join(' ')})`)
}
