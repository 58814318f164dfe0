#!/usr/bin/env node
// `stats ingest` throughput and memory: an access log of N lines and one of 4N lines in
// serve-mirrorlist's format; for each, `wc -l` over the same file (the baseline, same run)
// and `ingestAccessLogs` in a fresh child process on a fresh embedded database, whose peak
// RSS shows whether memory stays flat as the file grows.
// With MM_TEST_DATABASE_URL set, each run gets a fresh database on that server, so the
// child's RSS is the ingest's own (the embedded database runs inside the process).
// Usage: npm run build && node bench/stats/ingest.js [lines=500000]
import { execFileSync, spawnSync } from 'node:child_process'
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'

if (process.argv[2] === '--child') {
  const [file, where] = process.argv.slice(3)
  const dist = new URL('../../dist/lib/', import.meta.url)
  const { resolveConfig } = await import(new URL('config/resolve.js', dist))
  const { openDatabase } = await import(new URL('db/connect.js', dist))
  const { ingestAccessLogs } = await import(new URL('stats/ingest.js', dist))
  const env = where.startsWith('postgres') ? { DATABASE_URL: where } : { MM_DATA_DIR: where }
  const db = await openDatabase(resolveConfig({ env, configFile: '/dev/null' }), { migrate: true })
  const before = process.resourceUsage().maxRSS
  const start = performance.now()
  const cpuStart = process.cpuUsage()
  const result = await ingestAccessLogs(db.sql, [file])
  const ms = performance.now() - start
  const cpu = process.cpuUsage(cpuStart)
  const cpuMs = (cpu.user + cpu.system) / 1000
  await db.close()
  console.log(JSON.stringify({ ms, cpuMs, lines: result.files[0].lines, malformed: result.files[0].malformed, rssBeforeKiB: before, maxRssKiB: process.resourceUsage().maxRSS }))
  process.exit(0)
}

const N = Number(process.argv[2] ?? 500000)
const work = mkdtempSync(join(tmpdir(), 'mm-bench-stats-'))
const countries = ['US', 'DE', 'SE', 'JP', 'BR', 'N/A', 'IR', 'GB', 'FR', 'CN', 'IN', 'AU', 'NL', 'CA', 'RU']
const repos = ['updates-released-f41', 'fedora-41', 'updates-released-f40', 'fedora-40', 'epel-9', 'epel-10', 'rawhide', 'updates-testing-f41']
const archs = ['x86_64', 'x86_64', 'x86_64', 'aarch64', 'ppc64le', 's390x']

async function writeLog(file, lines) {
  const out = createWriteStream(file)
  let chunk = ''
  for (let i = 0; i < lines; i++) {
    const day = String(1 + Math.floor((i / lines) * 28)).padStart(2, '0')
    chunk += `IP: 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}; DATE: 2026-11-${day}; COUNTRY: ${countries[(i * 7) % 15]}; REPO: ${repos[(i * 5) % 8]}; ARCH: ${archs[i % 6]}\n`
    if (i % 1000 === 999) chunk += 'a malformed line\n'
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve))
      chunk = ''
    }
  }
  out.end(chunk)
  await new Promise((resolve) => out.on('close', resolve))
}

const server = process.env.MM_TEST_DATABASE_URL
async function freshDatabase(n) {
  if (!server) {
    const dir = mkdtempSync(join(work, 'db-'))
    return { where: dir, drop: async () => rmSync(dir, { recursive: true, force: true }) }
  }
  const { default: postgres } = await import('postgres')
  const name = `mm_bench_stats_${process.pid}_${n}`
  const admin = postgres(server, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  await admin.end()
  const url = new URL(server)
  url.pathname = `/${name}`
  return {
    where: url.toString(),
    drop: async () => {
      const again = postgres(server, { max: 1, onnotice: () => {} })
      await again.unsafe(`drop database if exists ${name} with (force)`)
      await again.end()
    },
  }
}

const rows = []
const loadBefore = loadavg()
try {
  for (const lines of [N, 4 * N]) {
    const file = join(work, `access-${lines}.log`)
    await writeLog(file, lines)
    const bytes = statSync(file).size
    execFileSync('wc', ['-l', file]) // warm the page cache for both
    // best of 5: on a shared machine the shortest wall time of a short run is closest to
    // its CPU time; the ingest reports both its wall and its CPU time
    let wc = 0
    let wcMs = Infinity
    for (let i = 0; i < 5; i++) {
      const start = performance.now()
      wc = Number(execFileSync('wc', ['-l', file], { encoding: 'utf8' }).trim().split(/\s+/)[0])
      wcMs = Math.min(wcMs, performance.now() - start)
    }
    const target = await freshDatabase(lines)
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', file, target.where], { encoding: 'utf8' })
    await target.drop()
    if (child.status !== 0) throw new Error(child.stderr)
    const ingest = JSON.parse(child.stdout.trim().split('\n').at(-1))
    rows.push({ lines: wc, bytes, wcMs, ...ingest })
    rmSync(file)
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}

const rate = (lines, ms) => Math.round(lines / (ms / 1000))
console.log(`## stats ingest — ${new Date().toISOString()}`)
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model.trim()} (shared; load average ${loadBefore.map((l) => l.toFixed(1)).join(' ')} before, ${loadavg().map((l) => l.toFixed(1)).join(' ')} after), Node ${process.version}, ${server ? 'PostgreSQL server on 127.0.0.1' : 'embedded database (inside the measured process)'}; lines in serve-mirrorlist's format, 1 in 1000 malformed, 28 days × 15 countries × 8 repos × 4 arches\n`)
console.log('| file | wc -l (best of 5) | stats ingest (wall) | ratio | ingest CPU time | ratio (CPU) | peak RSS of the ingest process |')
console.log('|---|---|---|---|---|---|---|')
for (const r of rows) {
  console.log(`| ${r.lines} lines, ${(r.bytes / 1e6).toFixed(0)} MB | ${(r.wcMs / 1000).toFixed(2)} s, ${rate(r.lines, r.wcMs)} lines/s | ${(r.ms / 1000).toFixed(2)} s, ${rate(r.lines, r.ms)} lines/s | ${(r.wcMs / r.ms).toFixed(3)}× | ${(r.cpuMs / 1000).toFixed(2)} s | ${(r.wcMs / r.cpuMs).toFixed(3)}× | ${(r.maxRssKiB / 1024).toFixed(0)} MiB (${(r.rssBeforeKiB / 1024).toFixed(0)} MiB before) |`)
}
console.log(`\nmemory at 4× the file size: ${(rows[1].maxRssKiB / rows[0].maxRssKiB).toFixed(2)}× the peak RSS at 1×`)
