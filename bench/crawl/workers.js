// Crawl worker scaling (issue 19): the same network of MIRRORS simulated mirrors (server.js:
// mostly fast, every SLOW_EVERY-th slow, every HANG_EVERY-th never answering, every
// HEAD_EVERY-th without a fullfiletimelist so crawled with HEAD per file) crawled in one
// run by: one `crawl` process (the reference), then rounds of `crawl start` + 1, 2 and 4
// `crawl --worker` processes, then 2 workers of which one is killed with SIGKILL a third
// of the way in. Every run spawns bin/run.js with the same --threads per process.
// Records wall time (ratio to 1 worker), requests, and whether the stored results equal
// the reference; appends to bench/RESULTS-crawl.md. Needs `npm run build` and a
// PostgreSQL server:
//
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:54329/postgres node bench/crawl/workers.js
//   MIRRORS=100 ... node bench/crawl/workers.js    # quick
import { fork, spawn } from 'node:child_process'
import { appendFileSync, readFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { setUpDatabase } from './fixture.js'

const here = import.meta.dirname
const BIN = join(here, '..', '..', 'bin', 'run.js')
const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.MM_TEST_DATABASE_URL
if (!serverUrl) throw new Error('set BENCH_DATABASE_URL to a PostgreSQL server (workers need one)')
const P = {
  MIRRORS: Number(process.env.MIRRORS ?? 450),
  DIRS: Number(process.env.DIRS ?? 60),
  REPODATA_EVERY: Number(process.env.REPODATA_EVERY ?? 20),
  THREADS: Number(process.env.THREADS ?? 20),
  CONNECTIONS: 2,
  LATENCY_MS: Number(process.env.LATENCY_MS ?? 20),
  SLOW_EVERY: Number(process.env.SLOW_EVERY ?? 9),
  SLOW_MS: Number(process.env.SLOW_MS ?? 250),
  HANG_EVERY: Number(process.env.HANG_EVERY ?? 25),
  HEAD_EVERY: Number(process.env.HEAD_EVERY ?? 3),
  LEASE: Number(process.env.LEASE ?? 5),
  REQUEST_TIMEOUT: 2,
}
const name = `mm_bench_workers_${process.pid}`
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
await admin.unsafe(`create database ${name}`)
const url = new URL(serverUrl)
url.pathname = `/${name}`
const env = {
  ...process.env,
  ...Object.fromEntries(Object.entries(P).map(([k, v]) => [k, String(v)])),
  DATABASE_URL: url.toString(),
  MM_CONFIG: '/dev/null',
  MM_CRAWL_REQUEST_TIMEOUT: String(P.REQUEST_TIMEOUT),
  MM_CRAWL_CONNECTIONS_PER_HOST: String(P.CONNECTIONS),
  // every run must see the same hosts: never-answering mirrors are not disabled on the way
  MM_CRAWL_DISABLE_AFTER: '0',
}
const server = fork(join(here, 'server.js'), { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
const ask = (message) => new Promise((resolve) => { server.once('message', resolve); if (message) server.send(message) })
const { port } = await ask()
await setUpDatabase(env, { ...P, port })
const sql = postgres(url.toString(), { max: 1, onnotice: () => {} })

function cli(args) {
  const child = spawn(process.execPath, [BIN, ...args, '--json'], { env, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (chunk) => (out += chunk))
  const done = new Promise((resolve) => child.on('close', (status, signal) => resolve({ status, signal, json: out ? JSON.parse(out) : null })))
  return { child, done }
}

/** What a crawl stored, as two digests: each host's result, and every host-category-directory verdict. */
async function fingerprint() {
  const [row] = await sql`
    select (select md5(string_agg(id || ':' || coalesce(last_crawl_result, '-'), ',' order by id)) from host) as hosts,
           (select md5(string_agg(host_category_id || ':' || directory_id || ':' || up2date, ',' order by host_category_id, directory_id)) from host_category_dir) as dirs,
           (select count(*) filter (where last_crawl_result = 'ok') from host)::int as ok`
  return row
}

async function single() {
  await ask('reset')
  const started = performance.now()
  const run = await cli(['crawl', '--threads', String(P.THREADS)]).done
  const wallSeconds = (performance.now() - started) / 1000
  if (run.status !== 0 && run.status !== 8) throw new Error(`crawl exited ${run.status}`)
  return { wallSeconds, requests: (await ask('count')).requests, ...(await fingerprint()) }
}

async function workers(n, kill = false) {
  await ask('reset')
  const start = await cli(['crawl', 'start', '--force']).done
  const round = start.json.round
  const started = performance.now()
  const procs = Array.from({ length: n }, () => cli(['crawl', '--worker', '--threads', String(P.THREADS), '--lease-seconds', String(P.LEASE)]))
  if (kill) {
    for (;;) {
      const [{ finished }] = await sql`select count(*) filter (where state in ('done', 'failed'))::int as finished from crawl_work where round_id = ${round}`
      if (finished >= P.MIRRORS / 3) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    procs[0].child.kill('SIGKILL')
  }
  const exits = await Promise.all(procs.map((proc) => proc.done))
  const wallSeconds = (performance.now() - started) / 1000
  const survivors = kill ? exits.slice(1) : exits
  if (survivors.some((exit) => exit.status !== 0)) throw new Error(`a worker exited ${survivors.map((exit) => exit.status)}`)
  const [state] = await sql`
    select (select state from crawl_round where id = ${round}) as round,
           count(*) filter (where state = 'done' or (state = 'failed' and result is not null))::int as crawled,
           count(*) filter (where result is null)::int as lost,
           coalesce(sum(takeovers), 0)::int as takeovers
    from crawl_work where round_id = ${round}`
  const [logs] = await sql`
    select count(*)::int as stored from host_crawl_log l join crawl_round r on r.id = ${round}
    where l.started >= r.created`
  return { wallSeconds, requests: (await ask('count')).requests, ...state, stored: logs.stored, ...(await fingerprint()) }
}

const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
const loadBefore = load()
const reference = await single()
const runs = [['1 worker', await workers(1)], ['2 workers', await workers(2)], ['4 workers', await workers(4)], ['2 workers, one killed with SIGKILL at 1/3', await workers(2, true)]]
const loadAfter = load()
server.send('stop')
await sql.end()
await admin.unsafe(`drop database if exists ${name} with (force)`)
await admin.end()

const base = runs[0][1].wallSeconds
const same = (r) => (r.hosts === reference.hosts && r.dirs === reference.dirs ? 'yes' : 'NO')
const report = [
  '',
  `## ${new Date().toISOString()} — crawl workers: ${P.MIRRORS} mirrors x ${P.DIRS} directories, --threads ${P.THREADS} per process, leases of ${P.LEASE} s`,
  '',
  `Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; load average ${loadBefore} before, ${loadAfter} after; Node ${process.version}; PostgreSQL server on 127.0.0.1.`,
  `Mirrors: every answer after ${P.LATENCY_MS} ms; 1 in ${P.SLOW_EVERY} after ${P.SLOW_MS} ms; 1 in ${P.HANG_EVERY} never answers (request timeout ${P.REQUEST_TIMEOUT} s); 1 in ${P.HEAD_EVERY} has no fullfiletimelist (HEAD per file); every 10th is stale. ${P.CONNECTIONS} connections per host.`,
  '',
  '| run | wall s | ratio to 1 worker | requests | hosts ok | stored crawls | takeovers | hosts lost | results = one process |',
  '|---|---|---|---|---|---|---|---|---|',
  `| one \`crawl\` process (reference) | ${reference.wallSeconds.toFixed(1)} | ${(reference.wallSeconds / base).toFixed(2)} | ${reference.requests} | ${reference.ok} | | | | |`,
  ...runs.map(([label, r]) => `| ${label} | ${r.wallSeconds.toFixed(1)} | ${(r.wallSeconds / base).toFixed(2)} | ${r.requests} | ${r.ok} | ${r.stored} | ${r.takeovers} | ${r.lost} | ${same(r)} |`),
  '',
].join('\n')
appendFileSync(join(here, '..', 'RESULTS-crawl.md'), report)
process.stdout.write(report)
