#!/usr/bin/env node
// Hostile check-ins (issue 15, defect 1): C concurrent ~5 MB bzip2 payloads (a JSON
// dirtree of E entries, ~59 MB decompressed at the default) with a wrong password,
// against a real `serve-checkin` on 127.0.0.1, each from its own 127.0.0.x address.
// Meanwhile /healthz is polled every 50 ms and a correct check-in is made every 500 ms
// from 127.0.0.1. Reported: /healthz latency (p50/p99/max), the server's RSS growth
// (sampled from /proc every 50 ms), the correct check-ins accepted, the time until the
// last hostile reply. The same run first measures /healthz with no hostile load.
//
// Usage: npm run build && node bench/checkin/hostile.js [--entries 3700000] [--concurrent 8]
//          [--identity last|first] [--bin path/to/bin/run.js] (another build, e.g. main's, as the baseline)
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'

const { values: args } = parseArgs({
  options: {
    entries: { type: 'string', default: '3700000' },
    concurrent: { type: 'string', default: '8' },
    identity: { type: 'string', default: 'last' },
    bin: { type: 'string', default: new URL('../../bin/run.js', import.meta.url).pathname },
  },
})
const ENTRIES = Number(args.entries)
const CONCURRENT = Number(args.concurrent)
const dist = new URL('../../dist/lib/', import.meta.url)
const { COMMAND_MIGRATIONS, openDatabase } = await import(new URL('db/connect.js', dist))
const { resolveConfig } = await import(new URL('config/resolve.js', dist))
const { hashPassword } = await import(new URL('sites/password.js', dist))
const { encodeLegacyWire } = await import(new URL('checkin/legacy-wire.js', dist))
const { renderMethodCall } = await import(new URL('checkin/xmlrpc.js', dist))

function post(url, body, from) {
  return new Promise((resolve) => {
    const start = performance.now()
    const req = request(url, { method: 'POST', headers: { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) }, localAddress: from, agent: false }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (chunk) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode, text, ms: performance.now() - start }))
    })
    req.on('error', (error) => resolve({ status: 0, text: error.message, ms: performance.now() - start }))
    req.end(body)
  })
}

function get(url) {
  return new Promise((resolve) => {
    const start = performance.now()
    request(url, { agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - start }))
    })
      .on('error', () => resolve({ status: 0, ms: performance.now() - start }))
      .end()
  })
}

const rssMb = (pid) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024
  } catch {
    return 0
  }
}
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN
}

/** Polls /healthz every 50 ms until stopped; returns the latencies. */
function pollHealth(url) {
  const latencies = []
  let running = true
  const done = (async () => {
    while (running) {
      const { status, ms } = await get(`${url}/healthz`)
      latencies.push(status === 200 ? ms : Infinity)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    return latencies
  })()
  return { stop: () => ((running = false), done) }
}

// --- the hostile payload (cached: bzip2 -9 of 59 MB takes a while) ---
const cache = join(tmpdir(), `mm-bench-hostile-${ENTRIES}-${args.identity}.xml`)
if (!existsSync(cache)) {
  const parts = []
  // Sequential names: ~16 bytes an entry, and bzip2 packs them about 12:1, as in the issue's probe.
  for (let i = 0; i < ENTRIES; i++) parts.push(`"d/${i}": {}`)
  const identity = '"version": 0, "global": {"enabled": "1"}, "site": {"name": "S", "password": "wrong"}, "host": {"name": "h"}'
  const tree = `"fedora linux": {"enabled": "1", "dirtree": {${parts.join(', ')}}}`
  const json = args.identity === 'first' ? `{${identity}, ${tree}}` : `{${tree}, ${identity}}`
  console.error(`# building the hostile payload: ${(json.length / 1e6).toFixed(1)} MB JSON`)
  // The system bzip2 with no time limit (encodeLegacyWire's is for requests, not for this).
  const compressed = spawnSync('bzip2', ['-9', '-c'], { input: json, maxBuffer: 1 << 30 }).stdout
  const wire = compressed.toString('base64').replaceAll('+', '-').replaceAll('/', '_')
  writeFileSync(cache, renderMethodCall('checkin', [wire]))
}
const hostileCall = readFileSync(cache, 'utf8')

// --- a database with one private host, and the server ---
const dir = mkdtempSync(join(tmpdir(), 'mm-bench-hostile-'))
const db = await openDatabase(resolveConfig({ env: { MM_DATA_DIR: dir }, configFile: '/dev/null' }), { migrations: COMMAND_MIGRATIONS })
await db.sql`insert into directory (name) values ('pub/fedora/linux'), ('pub/fedora/linux/releases')`
await db.sql`insert into category (name, topdir_id) select 'Fedora Linux', id from directory where name = 'pub/fedora/linux'`
const [site] = await db.sql`insert into site (name, password_hash) values ('S', ${await hashPassword('p')}) returning id`
const [host] = await db.sql`insert into host (site_id, name, country, private) values (${site.id}, 'h', 'US', true) returning id`
await db.sql`insert into host_category (host_id, category_id) select ${host.id}, id from category`
await db.close()
const good = renderMethodCall('checkin', [
  await encodeLegacyWire(JSON.stringify({ version: 0, global: { enabled: '1' }, site: { name: 'S', password: 'p' }, host: { name: 'h' }, 'fedora linux': { enabled: '1', dirtree: { '': {}, releases: {} } } })),
])

const server = spawn(process.execPath, [args.bin, 'serve-checkin', '--listen', '127.0.0.1', '--port', '0'], {
  env: { ...process.env, MM_CONFIG: '/dev/null', MM_DATA_DIR: dir, MM_CHECKIN_RATE_LIMIT_BURST: '1000', MM_CHECKIN_RATE_LIMIT_PER_HOUR: '1000' },
  stdio: ['ignore', 'ignore', 'pipe'],
})
const url = await new Promise((resolve, reject) => {
  let stderr = ''
  server.stderr.setEncoding('utf8').on('data', (text) => {
    stderr += text
    const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(stderr)
    if (match) resolve(match[1])
  })
  server.once('exit', () => reject(new Error(`serve-checkin exited:\n${stderr}`)))
})

try {
  // Warm up (first check-in compiles the code paths, starts the decode workers), then the baseline.
  for (let i = 0; i < 3; i++) await post(`${url}/xmlrpc`, good, '127.0.0.1')
  const quiet = pollHealth(url)
  await new Promise((resolve) => setTimeout(resolve, 5000))
  const quietLatencies = await quiet.stop()
  const rssBefore = rssMb(server.pid)

  // The attack.
  let rssPeak = rssBefore
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb(server.pid))), 50)
  const health = pollHealth(url)
  const start = performance.now()
  const hostile = Array.from({ length: CONCURRENT }, (_, i) => post(`${url}/xmlrpc`, hostileCall, `127.0.0.${2 + i}`))
  let attacking = true
  const legit = []
  const legitLoop = (async () => {
    while (attacking) {
      legit.push(await post(`${url}/xmlrpc`, good, '127.0.0.1'))
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
  })()
  const hostileReplies = await Promise.all(hostile)
  const attackMs = performance.now() - start
  attacking = false
  await legitLoop
  const attackLatencies = await health.stop()
  clearInterval(sampler)

  const fmt = (ms) => (Number.isFinite(ms) ? `${ms.toFixed(1)} ms` : 'failed')
  const git = spawnSync('git', ['-C', new URL('..', `file://${args.bin}`).pathname, 'log', '-1', '--format=%h'], { encoding: 'utf8' }).stdout.trim()
  console.log(`# ${args.bin} (commit ${git}), node ${process.version}, ${cpus().length} × ${cpus()[0].model}`)
  console.log(`# payload: ${ENTRIES} dirtree entries, identity ${args.identity}, ${(hostileCall.length / 1e6).toFixed(2)} MB on the wire; ${CONCURRENT} concurrent`)
  console.log(`quiet    /healthz: n=${quietLatencies.length} p50 ${fmt(quantile(quietLatencies, 0.5))} p99 ${fmt(quantile(quietLatencies, 0.99))} max ${fmt(Math.max(...quietLatencies))}`)
  console.log(`attacked /healthz: n=${attackLatencies.length} p50 ${fmt(quantile(attackLatencies, 0.5))} p99 ${fmt(quantile(attackLatencies, 0.99))} max ${fmt(Math.max(...attackLatencies))}`)
  console.log(`RSS: ${rssBefore.toFixed(0)} MB before, peak ${rssPeak.toFixed(0)} MB, growth ${(rssPeak - rssBefore).toFixed(0)} MB`)
  console.log(`hostile replies: ${[...new Set(hostileReplies.map((r) => `${r.status} ${/<string>([^\n<]*)/.exec(r.text)?.[1] ?? r.text.slice(0, 60)}`))].join(' | ')}; last after ${(attackMs / 1000).toFixed(1)} s`)
  const accepted = legit.filter((r) => /checked in successful/.test(r.text))
  console.log(`correct check-ins during the attack: ${accepted.length}/${legit.length} accepted, p99 ${fmt(quantile(legit.map((r) => r.ms), 0.99))}`)
} finally {
  server.kill('SIGTERM')
  await new Promise((resolve) => server.once('exit', resolve))
  rmSync(dir, { recursive: true, force: true })
}
