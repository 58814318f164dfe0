// Crawl benchmark: MIRRORS simulated mirrors x DIRS directories, served by one local
// server (server.js); measures in one run a bare undici HEAD loop (baseline), (a) the
// HEAD-per-file crawl and (b) the fullfiletimelist crawl, both with --threads THREADS.
// Appends the results to bench/RESULTS-crawl.md. Needs `npm run build` first.
//
//   node bench/crawl/run.js                      # 100 x 5000, threads 50
//   MIRRORS=20 DIRS=1000 node bench/crawl/run.js # quick
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:55432/postgres node bench/crawl/run.js
//     # a throw-away database on that PostgreSQL server instead of the embedded one
//     # (the embedded PGlite alone peaks at ~320 MB inside the crawler process)
import { execFileSync, fork, spawn } from 'node:child_process'
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { setUpDatabase } from './fixture.js'

const here = import.meta.dirname
const MIRRORS = Number(process.env.MIRRORS ?? 100)
const DIRS = Number(process.env.DIRS ?? 5000)
const REPODATA_EVERY = Number(process.env.REPODATA_EVERY ?? 50)
const THREADS = Number(process.env.THREADS ?? 50)
const CONNECTIONS = 2
const dataDir = mkdtempSync(join(tmpdir(), 'mm-bench-crawl-'))
const serverUrl = process.env.BENCH_DATABASE_URL
const benchDatabase = `mm_bench_crawl_${process.pid}`
let databaseUrl
if (serverUrl) {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${benchDatabase}`)
  await admin.end()
  const url = new URL(serverUrl)
  url.pathname = `/${benchDatabase}`
  databaseUrl = url.toString()
}
const env = { ...process.env, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), MM_DATA_DIR: dataDir, MM_CONFIG: '/dev/null', MIRRORS, DIRS, REPODATA_EVERY, THREADS, CONNECTIONS, MM_CRAWL_CONNECTIONS_PER_HOST: CONNECTIONS }

const server = fork(join(here, 'server.js'), { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
const ask = (message) => new Promise((resolve) => { server.once('message', resolve); if (message) server.send(message) })
const { port } = await ask()

function child(script, extraEnv) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [join(here, script)], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    proc.stdout.on('data', (chunk) => (out += chunk))
    proc.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${script} exited ${code}`))))
  })
}

async function measureCrawl(mode) {
  await ask('reset')
  const result = await child('crawl-child.js', { MODE: mode })
  const { requests } = await ask('count')
  return { ...result, requests, rate: requests / result.wallSeconds }
}

await setUpDatabase(env, { MIRRORS, DIRS, REPODATA_EVERY, CONNECTIONS, port })
const headRequests = MIRRORS * (DIRS + Math.ceil(DIRS / REPODATA_EVERY))
await ask('reset')
const baseline = await child('baseline.js', { PORT: port, REQUESTS: Math.min(headRequests, 20_000) })
const head = await measureCrawl('head')
const list = await measureCrawl('list')
server.send('stop')
rmSync(dataDir, { recursive: true, force: true })
if (serverUrl) {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`drop database if exists ${benchDatabase} with (force)`)
  await admin.end()
}

const row = (name, r) => `| ${name} | ${r.wallSeconds.toFixed(1)} | ${r.requests} | ${Math.round(r.rate)} | ${r.maxRssMb.toFixed(0)} |`
const cpu = cpus()[0]?.model ?? 'unknown'
const report = [
  '',
  `## ${new Date().toISOString()} — ${MIRRORS} mirrors x ${DIRS} directories (+1 repodata per ${REPODATA_EVERY}), --threads ${THREADS}, ${CONNECTIONS} connections per host`,
  '',
  `Machine: ${cpus().length} x ${cpu}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load ${execFileSync('cat', ['/proc/loadavg']).toString().trim()}; Node ${process.version}; ${serverUrl ? 'PostgreSQL server database' : 'embedded database (PGlite, in the crawler process)'}.`,
  '',
  '| run | wall s | requests | requests/s | peak RSS MB |',
  '|---|---|---|---|---|',
  row('baseline: bare undici HEAD loop', baseline),
  row('(a) crawl, HEAD per file', head),
  row('(b) crawl, fullfiletimelist', list),
  '',
  `- (b) made ${(head.requests / list.requests).toFixed(1)}x fewer requests than (a) (target >= 20x) and took ${(head.wallSeconds / list.wallSeconds).toFixed(1)}x less time.`,
  `- (a) reached ${((100 * head.rate) / baseline.rate).toFixed(0)}% of the bare loop's request rate (target >= 50%), including its database writes.`,
  `- (a): ${head.summary.hosts.ok}/${head.summary.hosts.total} hosts ok, ${head.summary.directories.upToDate} directories up to date, ${head.summary.directories.stale} stale; (b): ${list.summary.hosts.ok}/${list.summary.hosts.total} ok, ${list.summary.directories.upToDate} up to date, ${list.summary.directories.stale} stale.`,
  '',
].join('\n')
appendFileSync(join(here, '..', 'RESULTS-crawl.md'), report)
process.stdout.write(report)
