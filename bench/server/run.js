#!/usr/bin/env node
// Macro benchmark of serve-mirrorlist (see bench/server/README). Loopback only.
//
//   node bench/server/run.js [--snapshot FILE | --server POSTGRES_URL] [--duration 5] [--rounds 3] [--connections 32] [--workers 2]
//                            [--bin PATH]   (another checkout's bin/run.js: measure it the same way, e.g. before a change)
//
// In ONE run: starts serve-mirrorlist (2 workers, a 900,000-line global netblocks file,
// the test GeoIP database) on the snapshot, records load-to-ready per worker and the RSS
// of primary + workers, then for each request class runs wrk against it and against a
// trivial node:cluster/node:http server returning a constant body of the same size with
// the same number of workers, and reports throughput and p50/p99 as ratios.
// Appends a section to bench/RESULTS-server.md.
import { execFileSync, spawn } from 'node:child_process'
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import postgres from 'postgres'
import { writeGlobalNetblocks } from '../fixture/fedora-scale.js'

const root = new URL('../..', import.meta.url).pathname
const { values: args } = parseArgs({
  options: {
    snapshot: { type: 'string' },
    server: { type: 'string', default: process.env.MM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:55432/postgres' },
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    workers: { type: 'string', default: '2' },
    'netblocks-lines': { type: 'string', default: '900000' },
    keep: { type: 'boolean', default: false },
    bin: { type: 'string', default: join(root, 'bin', 'run.js') },
    results: { type: 'string', default: join(root, 'bench', 'RESULTS-server.md') },
  },
})
const work = mkdtempSync(join(tmpdir(), 'mm-bench-server-'))
const log = (line) => console.error(`bench: ${line}`)

/** Without --snapshot: the Fedora-scale fixture (bench/fixture) in a fresh PostgreSQL database, then generate-snapshot. */
async function makeSnapshot() {
  const name = `mm_bench_server_${process.pid}`
  const url = new URL(args.server)
  url.pathname = `/${name}`
  const file = join(work, 'mirrorlist.avro')
  try {
    log(`building the Fedora-scale fixture in ${url}`)
    execFileSync(process.execPath, [join(root, 'bench', 'fixture', 'run.js'), '--database-url', url.toString(), '--create'], { stdio: 'inherit' })
    log('generate-snapshot')
    execFileSync(process.execPath, [join(root, 'bin', 'run.js'), 'generate-snapshot', '-o', file, '--database-url', url.toString()], { stdio: 'inherit', env: { ...process.env, MM_CONFIG: '/dev/null' } })
  } finally {
    const admin = postgres(args.server, { max: 1, onnotice: () => {} })
    await admin.unsafe(`drop database if exists ${name} with (force)`)
    await admin.end()
  }
  return file
}
args.bin = resolve(args.bin)
if (!args.snapshot) args.snapshot = await makeSnapshot()

function startProcess(command, argv, readyPattern) {
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MM_CONFIG: '/dev/null' } })
  let output = ''
  return new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk
      const match = typeof readyPattern === 'function' ? readyPattern(output) : output.match(readyPattern)
      if (match) resolve({ child, match, output: () => output })
    }
    child.stdout.setEncoding('utf8').on('data', onData)
    child.stderr.setEncoding('utf8').on('data', onData)
    child.on('exit', (code) => reject(new Error(`${command} exited ${code}:\n${output}`)))
  })
}

async function stop(child) {
  if (child.exitCode !== null) return
  const exited = new Promise((resolve) => child.on('exit', resolve))
  child.kill('SIGTERM')
  await exited
}

const rssKb = (pid) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1])
const childrenOf = (pid) => execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number)

/** CPU seconds (user + system) used so far by a process and its children (the workers). */
const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }))
function cpuSecondsOf(pid) {
  let ticks = 0
  for (const each of [pid, ...childrenOf(pid)]) {
    const fields = readFileSync(`/proc/${each}/stat`, 'utf8').split(') ')[1].split(' ')
    ticks += Number(fields[11]) + Number(fields[12]) // utime, stime (fields 14 and 15 of proc(5))
  }
  return ticks / ticksPerSecond
}

/** wrk against url; with `pid`, also the server's CPU microseconds per request over the run. */
function wrk(url, pid) {
  const cpuBefore = pid === undefined ? 0 : cpuSecondsOf(pid)
  const out = execFileSync('wrk', ['-t1', `-c${args.connections}`, `-d${args.duration}s`, '--latency', url], { encoding: 'utf8' })
  const toMs = (text) => {
    const [, n, unit] = text.match(/([\d.]+)(us|ms|s)/)
    return Number(n) * (unit === 'us' ? 0.001 : unit === 's' ? 1000 : 1)
  }
  const errors = out.match(/Socket errors: (.*)/)
  const requests = Number(out.match(/(\d+) requests in/)[1])
  return {
    cpuUs: pid === undefined ? Number.NaN : ((cpuSecondsOf(pid) - cpuBefore) * 1e6) / requests,
    rps: Number(out.match(/Requests\/sec:\s+([\d.]+)/)[1]),
    p50: toMs(out.match(/\s50%\s+(\S+)/)[1]),
    p99: toMs(out.match(/\s99%\s+(\S+)/)[1]),
    errors: errors ? errors[1] : 'none',
  }
}

async function fetchText(url) {
  const response = await fetch(url)
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() }
}

const netblocks = join(work, 'global_netblocks.txt')
log(`writing ${args['netblocks-lines']} global netblocks lines`)
writeGlobalNetblocks(netblocks, Number(args['netblocks-lines']))

const geoip = join(root, 'test', 'fixtures', 'geoip', 'country-maxmind.mmdb')
const workers = Number(args.workers)
const serverStarted = performance.now()
const server = await startProcess(
  process.execPath,
  [args.bin, 'serve-mirrorlist', '--snapshot', args.snapshot, '--port', '0', '--workers', String(workers), '--geoip', geoip, '--global-netblocks', netblocks],
  (output) => /listening on http:/.test(output) && output.match(/ready in \d+ ms/g)?.length >= workers,
)
const allReady = Math.round(performance.now() - serverStarted)
const port = Number(server.output().match(/listening on http:\/\/127\.0\.0\.1:(\d+)\//)[1])
const readyMs = [...server.output().matchAll(/ready in (\d+) ms/g)].map((m) => Number(m[1]))
const base = `http://127.0.0.1:${port}`
log(`server on ${base}; workers ready in ${readyMs.join(', ')} ms (process start to all ready: ${allReady} ms)`)

// Pick the request classes from what the snapshot holds: the 404 lists every repo+arch.
const listing = (await fetchText(`${base}/mirrorlist?repo=no-such-repo&arch=x86_64`)).body
const pairs = [...listing.matchAll(/^# repo=(\S+)&arch=(\S+)$/gm)].map((m) => ({ repo: m[1], arch: m[2] }))
const popular = pairs.find((p) => /updates-released-f\d+$/.test(p.repo) && p.arch === 'x86_64') ?? pairs.find((p) => p.arch === 'x86_64') ?? pairs[0]
const late = pairs[pairs.length - 1]
const classes = [
  { name: 'metalink, popular repo', path: `/metalink?repo=${popular.repo}&arch=${popular.arch}` },
  { name: 'mirrorlist, late repo', path: `/mirrorlist?repo=${late.repo}&arch=${late.arch}` },
  { name: 'mirrorlist, no GeoIP country (global fill)', path: `/mirrorlist?repo=${popular.repo}&arch=${popular.arch}&ip=100.64.7.9` },
  // the weakest answer (issue 18): a client whose country and continent have too few mirrors gets the whole global fill as a metalink
  { name: 'metalink, no GeoIP country (global fill)', path: `/metalink?repo=${popular.repo}&arch=${popular.arch}&ip=100.64.7.9` },
  { name: 'unknown repo (404 + list)', path: '/mirrorlist?repo=no-such-repo&arch=x86_64' },
]
for (const c of classes) {
  const answer = await fetchText(base + c.path)
  c.status = answer.status
  c.bytes = Buffer.byteLength(answer.body)
  c.type = answer.type
  c.urls = answer.body.split('\n').filter((line) => /^(https?|ftp|rsync):/.test(line) || /<url /.test(line)).length
}

const rss = { primary: rssKb(server.child.pid), workers: childrenOf(server.child.pid).map(rssKb) }
const rssTotalMb = Math.round((rss.primary + rss.workers.reduce((a, b) => a + b, 0)) / 1024)
log(`RSS: primary ${Math.round(rss.primary / 1024)} MB, workers ${rss.workers.map((kb) => Math.round(kb / 1024)).join(' + ')} MB = ${rssTotalMb} MB`)

// Rounds alternate ours and the baseline (both servers up, one loaded at a time), and the
// ratio reported is the median of the per-round ratios: on a shared machine the load of
// other work drifts within seconds, and a pair measured back to back sees the same drift.
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
if (!(Number(args.rounds) >= 1)) throw new Error(`--rounds must be a number >= 1, not ${args.rounds}`)
const rows = []
for (const c of classes) {
  const baseline = await startProcess(process.execPath, [join(root, 'bench', 'server', 'baseline-server.js'), String(workers), String(c.bytes), c.type ?? 'text/plain'], /listening (\d+)/)
  const theirsUrl = `http://127.0.0.1:${baseline.match[1]}/x`
  wrk(base + c.path) // warm-up runs: the first measurement's cost otherwise
  wrk(theirsUrl)
  const rounds = []
  for (let round = 0; round < Number(args.rounds); round++) {
    const ours = wrk(base + c.path, server.child.pid)
    const theirs = wrk(theirsUrl, baseline.child.pid)
    rounds.push({ ours, theirs, ratio: ours.rps / theirs.rps })
  }
  await stop(baseline.child)
  const pick = (side, field) => median(rounds.map((r) => r[side][field]))
  const ours = { rps: pick('ours', 'rps'), p50: pick('ours', 'p50'), p99: pick('ours', 'p99'), cpuUs: pick('ours', 'cpuUs'), errors: [...new Set(rounds.map((r) => r.ours.errors))].join(', ') }
  const theirs = { rps: pick('theirs', 'rps'), p50: pick('theirs', 'p50'), p99: pick('theirs', 'p99'), cpuUs: pick('theirs', 'cpuUs') }
  const ratio = median(rounds.map((r) => r.ratio))
  rows.push({ c, ours, theirs, ratio, ratios: rounds.map((r) => r.ratio) })
  log(`${c.name}: ${Math.round(ours.rps)} req/s vs baseline ${Math.round(theirs.rps)} (median ratio ${ratio.toFixed(2)} of ${rounds.map((r) => r.ratio.toFixed(2)).join(', ')}), p50 ${ours.p50} ms, p99 ${ours.p99} ms, server CPU ${ours.cpuUs.toFixed(1)} vs ${theirs.cpuUs.toFixed(1)} µs/request`)
}
const rssAfter = { primary: rssKb(server.child.pid), workers: childrenOf(server.child.pid).map(rssKb) }
const rssAfterMb = Math.round((rssAfter.primary + rssAfter.workers.reduce((a, b) => a + b, 0)) / 1024)
await stop(server.child)
const snapshotMb = (Number(execFileSync('stat', ['-c', '%s', args.snapshot], { encoding: 'utf8' })) / 1e6).toFixed(1)
if (args.keep) log(`kept ${work} (snapshot: ${args.snapshot})`)
else rmSync(work, { recursive: true, force: true })
const lines = [
  '',
  `## ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — serve-mirrorlist`,
  '',
  `Machine: ${cpus().length} × ${cpus()[0].model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB (shared with other work; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}). Node ${process.version}. ` +
    `wrk 1 thread, ${args.connections} connections, ${args.rounds} rounds of ${args.duration} s alternating ours and the baseline (after one warm-up run each), loopback. ` +
    `${workers} workers${args.bin === join(root, 'bin', 'run.js') ? '' : ` (server: ${args.bin})`}; snapshot ${snapshotMb} MB (${pairs.length} repo/arch pairs); global netblocks ${args['netblocks-lines']} lines; GeoIP: test database. ` +
    'Baseline: node:cluster with the same number of node:http workers answering a constant body of the same size; req/s and latencies are medians over the rounds, the ratio is the median of the per-round ratios. ' +
    'Server CPU: user + system time of primary and workers per request over a round (from /proc), the measure least moved by other work on the machine.',
  '',
  `- load-to-ready per worker (process start, modules, GeoIP, 900,000-line netblocks table, snapshot; workers start one after another): ${readyMs.join(' ms, ')} ms (target < 2000 ms); process start to all workers ready: ${allReady} ms`,
  `- RSS after load: primary ${Math.round(rss.primary / 1024)} MB + workers ${rss.workers.map((kb) => Math.round(kb / 1024)).join(' + ')} MB = **${rssTotalMb} MB** (target < 350 MB); after the load runs: ${rssAfterMb} MB`,
  '',
  '| class | status | body bytes | URLs | req/s | baseline req/s | ratio (target ≥ 0.5) | per round | server CPU µs/req (baseline) | p50 ms | p99 ms | baseline p50 / p99 ms |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map(({ c, ours, theirs, ratio, ratios }) =>
    `| ${c.name} | ${c.status} | ${c.bytes} | ${c.urls} | ${Math.round(ours.rps)} | ${Math.round(theirs.rps)} | **${ratio.toFixed(2)}** | ${ratios.map((r) => r.toFixed(2)).join(' ')} | ${ours.cpuUs.toFixed(1)} (${theirs.cpuUs.toFixed(1)}) | ${ours.p50} | ${ours.p99} | ${theirs.p50.toFixed(3)} / ${theirs.p99.toFixed(2)} |`),
  '',
  `Requests: ${classes.map((c) => `\`${c.path}\``).join(', ')}. Socket errors: ${rows.map((r) => r.ours.errors).join('; ')}.`,
  '',
]
appendFileSync(args.results, lines.join('\n'))
console.log(lines.join('\n'))
