#!/usr/bin/env node
// Check-in cost at mirror scale: wire encode/decode (bzip2) and applying a check-in of
// N directories (first: all added; second: all updated), against a baseline measured in
// the same run: the per-directory statements MirrorManager2 issues (one lookup + one
// insert per directory), on the same embedded database.
// Usage: npm run build && node bench/checkin/apply.js [directories=20000]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'

const dist = new URL('../../dist/lib/', import.meta.url)
const { resolveConfig } = await import(new URL('config/resolve.js', dist))
const { COMMAND_MIGRATIONS, openDatabase } = await import(new URL('db/connect.js', dist))
const { hashPassword } = await import(new URL('sites/password.js', dist))
const { CheckinService } = await import(new URL('checkin/checkin-service.js', dist))
const { encodeLegacyWire, legacyWireBytes, decodeBzip2Payload } = await import(new URL('checkin/legacy-wire.js', dist))
const { silentLogger } = await import(new URL('log.js', dist))

const N = Number(process.argv[2] ?? 20000)
const dir = mkdtempSync(join(tmpdir(), 'mm-bench-checkin-'))
const db = await openDatabase(resolveConfig({ env: { MM_DATA_DIR: dir }, configFile: '/dev/null' }), { migrations: COMMAND_MIGRATIONS })
const sql = db.sql
const time = async (label, work) => {
  const start = performance.now()
  const value = await work()
  const ms = performance.now() - start
  console.log(`${label.padEnd(44)} ${ms.toFixed(0).padStart(7)} ms`)
  return { ms, value }
}
let service
try {
  const paths = Array.from({ length: N }, (_, i) => `releases/${i % 50}/Everything/x86_64/os/Packages/${i}`)
  const names = ['pub/fedora/linux', ...paths.map((p) => `pub/fedora/linux/${p}`)]
  await sql`insert into directory (name) select unnest(${sql.array(names)}::text[])`
  for (const c of ['Fedora Linux', 'Baseline']) await sql`insert into category (name, topdir_id) select ${c}, id from directory where name = 'pub/fedora/linux'`
  const [site] = await sql`insert into site (name, password_hash) values ('S', ${await hashPassword('p')}) returning id`
  const [host] = await sql`insert into host (site_id, name, country, private) values (${site.id}, 'h', 'US', true) returning id`
  await sql`insert into host_category (host_id, category_id) select ${host.id}, id from category`
  const dirtree = Object.fromEntries(['', ...paths].map((p) => [p, {}]))
  const payload = { version: 0, global: { enabled: '1' }, site: { name: 'S', password: 'p' }, host: { name: 'h' }, stats: {}, 'fedora linux': { enabled: '1', dirtree } }
  const json = JSON.stringify(payload)
  service = new CheckinService(sql, { privateOnly: true, maxPayloadBytes: 1 << 30, rateLimitBurst: 100, rateLimitPerHour: 100, failureLimitBurst: 100, failureLimitPerHour: 100, maxInFlight: 8, logger: silentLogger })
  const from = { address: '127.0.0.1' }

  console.log(`# ${N} directories, payload ${(json.length / 1e6).toFixed(1)} MB JSON, node ${process.version}`)
  const wire = (await time('encode (bzip2 + base64)', () => encodeLegacyWire(json))).value
  console.log(`  wire size ${(wire.length / 1e3).toFixed(0)} kB`)
  await time('decode (capped bzip2 + JSON)', () => decodeBzip2Payload(legacyWireBytes(wire), { maxPayloadBytes: 1 << 30 }))
  const first = await time('check-in, all added (bulk, one transaction)', () => service.checkinLegacy(wire, from))
  const second = await time('check-in, all updated (bulk, one transaction)', () => service.checkinLegacy(wire, from))
  console.log(`  ${first.value.reply.split('\n')[0]}\n  ${second.value.reply.split('\n')[0]}`)

  // Baseline: per directory, a lookup and an insert (MirrorManager2's uploaded_config),
  // on a sample (it is that slow); compared per directory.
  const sample = ['', ...paths].slice(0, Math.min(N, 2000))
  const [hc] = await sql`select hc.id from host_category hc join category c on c.id = hc.category_id where c.name = 'Baseline'`
  const baseline = await time(`baseline: per-directory statements, ${sample.length} added`, async () => {
    await sql.begin(async (tx) => {
      for (const p of sample) {
        const [existing] = await tx`select id from host_category_dir where host_category_id = ${hc.id} and path = ${p}`
        if (existing) continue
        const [d] = await tx`select id from directory where name = ${p === '' ? 'pub/fedora/linux' : `pub/fedora/linux/${p}`}`
        if (d) await tx`insert into host_category_dir (host_category_id, directory_id, path, up2date) values (${hc.id}, ${d.id}, ${p}, true)`
      }
    })
  })
  const perBulk = first.ms / (N + 1)
  const perBaseline = baseline.ms / sample.length
  console.log(`per directory: bulk ${(perBulk * 1000).toFixed(0)} us, baseline ${(perBaseline * 1000).toFixed(0)} us; ratio baseline/bulk ${(perBaseline / perBulk).toFixed(1)}x`)
} finally {
  await service?.close()
  await db.close()
  rmSync(dir, { recursive: true, force: true })
}
