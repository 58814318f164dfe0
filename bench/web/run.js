#!/usr/bin/env node
// serve-web under load (issue 16 "Done when"): the host page of a host with 200 URLs
// (10 categories × 20 URLs, 20 netblocks, 50 audit entries), rendered for its signed-in
// site admin, at 50 concurrent users; against a constant page of the same size and type
// served by the same fastify app, in the same process, in the same run, through the same
// hooks (the session cookie is sent to both, so the ratio is the host page's own work:
// its queries and its template). Rounds alternate the two pages so that a drift of the
// machine's load hits both; the load generator is a child process (undici Pool, 50
// connections, 50 request loops) so it does not share the server's event loop.
//
//   npm run build && node bench/web/run.js [--seconds 5] [--rounds 3] [--users 50] [--think 2]
//
// --think S: browsing users (open-ish loop) instead of the closed loop: each user waits
// an exponentially distributed think time of mean S seconds (capped at 10 S, as TPC-W's
// clause 5.3.1.1 does) before each request, the usual model of people browsing a web
// application (TPC-W: exponential, mean 7 s; 2 s here is harsher: 50 users ≈ 25 pages/s).
// The think times come from a seeded generator, so the constant page and the host page
// see the same arrival process in every round.
//
// On the embedded database unless MM_TEST_DATABASE_URL is set (then a fresh database
// on that server, dropped at the end). Prints a Markdown section for bench/RESULTS-web.md.
import { fork } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'

const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, rounds: { type: 'string', default: '3' }, users: { type: 'string', default: '50' }, think: { type: 'string', default: '0' }, child: { type: 'boolean', default: false } } })

if (args.child) {
  // the load generator: `{ url, cookie, seconds, users }` in, latencies (ms) out
  const { Pool } = await import('undici')
  process.once('message', async ({ url, cookie, seconds, users, think, seed }) => {
    const target = new URL(url)
    const pool = new Pool(target.origin, { connections: users, pipelining: 1 })
    const latencies = []
    let errors = 0
    let bytes = 0
    const until = performance.now() + seconds * 1000
    await Promise.all(Array.from({ length: users }, async (_, user) => {
      const random = mulberry32(seed * 1000 + user)
      const thinkTime = () => Math.min(10 * think, -think * Math.log(1 - random())) * 1000
      while (performance.now() < until) {
        if (think > 0) {
          await new Promise((resolve) => setTimeout(resolve, thinkTime()))
          if (performance.now() >= until) break
        }
        const start = performance.now()
        try {
          const response = await pool.request({ path: target.pathname, method: 'GET', headers: { cookie } })
          const body = await response.body.arrayBuffer()
          if (response.statusCode !== 200) errors++
          bytes = body.byteLength
          latencies.push(performance.now() - start)
        } catch {
          errors++
        }
      }
    }))
    await pool.close()
    process.send({ latencies, errors, bytes }, () => process.exit(0))
  })
} else {
  await main()
}

/** A small seeded PRNG (Mulberry32): the same think times for both pages of a round. */
function mulberry32(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** user+system CPU seconds of this process so far, from /proc (what load moves least). */
function processCpuSeconds() {
  const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /, '').split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100 // utime, stime in clock ticks (USER_HZ = 100)
}

async function main() {
  const dist = new URL('../../dist/', import.meta.url)
  const load = (path) => import(new URL(path, dist))
  const { resolveConfig } = await load('lib/config/resolve.js')
  const { APPLY_MIGRATIONS, openDatabase } = await load('lib/db/connect.js')
  const { addProduct } = await load('lib/catalog/products.js')
  const { addCategory } = await load('lib/catalog/categories.js')
  const { createSite } = await load('lib/operations/sites.js')
  const { addCategoryToHost, addHostEntry, addUrlToHost, createHost, editHost } = await load('lib/operations/hosts.js')
  const { addUser } = await load('lib/users/users.js')
  const { createSession } = await load('lib/users/sessions.js')
  const { webSettingsFromConfig } = await load('lib/users/web-settings.js')
  const { buildWebApp } = await load('http/web/app.js')
  const { silentLogger } = await load('lib/log.js')

  const server = process.env.MM_TEST_DATABASE_URL
  const work = mkdtempSync(join(tmpdir(), 'mm-bench-web-'))
  let drop = async () => {}
  let env = { MM_DATA_DIR: join(work, 'data') }
  if (server) {
    const { default: postgres } = await import('postgres')
    const name = `mm_bench_web_${process.pid}`
    const admin = postgres(server, { max: 1, onnotice: () => {} })
    await admin.unsafe(`create database ${name}`)
    await admin.end()
    const url = new URL(server)
    url.pathname = `/${name}`
    env = { DATABASE_URL: url.toString() }
    drop = async () => {
      const again = postgres(server, { max: 1, onnotice: () => {} })
      await again.unsafe(`drop database if exists ${name} with (force)`)
      await again.end()
    }
  }
  const config = resolveConfig({ env, configFile: '/dev/null' })
  const db = await openDatabase(config, { migrations: APPLY_MIGRATIONS })
  try {
    // the fixture: one site admin's host with 200 URLs
    const alice = { username: 'alice', admin: false }
    const user = await addUser(db.sql, 'alice', { email: 'alice@example.org', password: 'correct horse battery', confirmed: true })
    await addProduct(db.sql, { name: 'Fedora' })
    const site = await createSite(db.sql, alice, 'Bench University', { orgUrl: 'https://bench.example' }, { addCreatorAsAdmin: true })
    const host = await createHost(db.sql, alice, site.id, 'mirror.bench.example', { country: 'DE', bandwidth: '1000' })
    for (let c = 0; c < 10; c++) {
      const category = `Category ${String(c).padStart(2, '0')}`
      await addCategory(db.sql, category, { product: 'Fedora', topdir: `pub/c${c}` })
      await addCategoryToHost(db.sql, alice, host.id, category)
      for (let u = 0; u < 20; u++) await addUrlToHost(db.sql, alice, host.id, category, `https://mirror${u}.bench.example/pub/c${c}`)
    }
    for (let n = 0; n < 20; n++) await addHostEntry(db.sql, alice, host.id, 'netblock', `10.${n}.0.0/16`, `campus ${n}`)
    for (let n = 0; n < 10; n++) await editHost(db.sql, alice, host.id, { bandwidth: String(1000 + n) })
    const session = await createSession(db.sql, user.id, { lifetimeSeconds: 86_400 })
    const cookie = `mm_session=${session.id}`

    const settings = webSettingsFromConfig(config, {})
    const context = { sql: db.sql, settings: { ...settings, listen: '127.0.0.1', port: 0 }, sendMail: async () => {}, logger: silentLogger }
    const { app } = await buildWebApp(context)
    // the baseline: the same bytes, same type, same app and hooks, no page work
    let constant = ''
    app.get('/bench/constant', async (_request, reply) => reply.type('text/html; charset=utf-8').send(constant))
    const hostPath = `/host/${host.id}`
    const rendered = await app.inject({ method: 'GET', url: hostPath, headers: { cookie } })
    if (rendered.statusCode !== 200) throw new Error(`host page: ${rendered.statusCode}`)
    const urls = new Set(rendered.body.match(/https:\/\/mirror\d+\.bench\.example\/pub\/c\d+/g) ?? []).size
    if (urls !== 200) throw new Error(`host page shows ${urls} distinct URLs, expected 200`)
    constant = rendered.body
    // load-independent figure: this process's CPU time per page, one request at a time
    // (includes PGlite on the embedded database; not the PostgreSQL server's own work)
    const cpuPerPage = {}
    for (const [name, path] of [['constant', '/bench/constant'], ['host', hostPath], ['constant', '/bench/constant'], ['host', hostPath]]) {
      const n = 100
      const before = process.cpuUsage()
      const started = performance.now()
      for (let i = 0; i < n; i++) await app.inject({ method: 'GET', url: path, headers: { cookie } })
      const used = process.cpuUsage(before)
      cpuPerPage[name] = { cpu: (used.user + used.system) / 1000 / n, wall: (performance.now() - started) / n } // the second pass (warm) wins
    }
    const address = await app.listen({ host: '127.0.0.1', port: 0 })

    const users = Number(args.users)
    const seconds = Number(args.seconds)
    const think = Number(args.think)
    const loadBefore = loadavg()
    const results = { constant: [], host: [] }
    const errors = { constant: 0, host: 0 }
    const cpuUnderLoad = { constant: 0, host: 0 }
    for (let round = 0; round < Number(args.rounds); round++) {
      for (const [name, path] of [['constant', '/bench/constant'], ['host', hostPath]]) {
        const child = fork(fileURLToPath(import.meta.url), ['--child'])
        const answer = new Promise((resolve, reject) => {
          child.once('message', resolve)
          child.once('exit', (code) => code !== 0 && reject(new Error(`load generator exited ${code}`)))
        })
        const cpuBefore = processCpuSeconds()
        child.send({ url: `${address}${path}`, cookie, seconds, users, think, seed: round + 1 })
        const { latencies, errors: failed } = await answer
        cpuUnderLoad[name] += processCpuSeconds() - cpuBefore
        results[name].push(...latencies)
        errors[name] += failed
      }
    }
    await app.close()

    const percentile = (values, p) => {
      const sorted = [...values].sort((a, b) => a - b)
      return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
    }
    const row = (name, label) => {
      const v = results[name]
      return { label, requests: v.length, rps: v.length / (seconds * Number(args.rounds)), p50: percentile(v, 50), p99: percentile(v, 99), errors: errors[name], cpu: (cpuUnderLoad[name] * 1000) / Math.max(1, v.length) }
    }
    const base = row('constant', 'constant page (baseline)')
    const page = row('host', `host page, ${urls} URLs`)
    const kind = server ? 'PostgreSQL server on 127.0.0.1 (pool of database.pool_max connections)' : 'embedded database (PGlite, in the server process, one connection)'
    const mode = think > 0 ? `${users} browsing users (exponential think time, mean ${think} s, capped at ${10 * think} s)` : `${users} concurrent users (closed loop, no think time)`
    console.log(`## serve-web host page — ${new Date().toISOString()}, ${server ? 'PostgreSQL' : 'embedded'}, ${think > 0 ? 'browsing users' : 'closed loop'}`)
    console.log(`machine: ${cpus().length} × ${cpus()[0]?.model.trim()} (shared; load average ${loadBefore.map((l) => l.toFixed(1)).join(' ')} before, ${loadavg().map((l) => l.toFixed(1)).join(' ')} after), Node ${process.version}; ${kind}; one serve-web process (no --workers); ${mode}, ${args.rounds} alternating rounds of ${seconds} s per page; page ${Buffer.byteLength(constant)} bytes\n`)
    console.log('| page | requests | req/s | p50 | p99 | server CPU per request | errors |')
    console.log('|---|---|---|---|---|---|---|')
    for (const r of [base, page]) console.log(`| ${r.label} | ${r.requests} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} ms | ${r.p99.toFixed(1)} ms | ${r.cpu.toFixed(2)} ms | ${r.errors} |`)
    console.log(`\none request at a time (in-process inject, warm): constant page ${cpuPerPage.constant.cpu.toFixed(2)} ms CPU (${cpuPerPage.constant.wall.toFixed(2)} ms wall), host page ${cpuPerPage.host.cpu.toFixed(2)} ms CPU (${cpuPerPage.host.wall.toFixed(2)} ms wall): ${(cpuPerPage.host.cpu / cpuPerPage.constant.cpu).toFixed(2)}× the CPU`)
    console.log(`\nratio host page / constant page: p50 ${(page.p50 / base.p50).toFixed(2)}×, p99 ${(page.p99 / base.p99).toFixed(2)}×, throughput ${(page.rps / base.rps).toFixed(2)}×, server CPU per request ${(page.cpu / base.cpu).toFixed(2)}×`)
  } finally {
    await db.close()
    await drop()
    rmSync(work, { recursive: true, force: true })
  }
}
