#!/usr/bin/env node
// Start-up cost of mirrormanager commands, as a ratio to `node -e 0` measured in the same
// rounds (the machines are noisy): every round runs each case once, in turn, so load
// changes hit all cases alike. Prints a Markdown table and appends it to bench/RESULTS-cli.md.
import { spawnSync } from 'node:child_process'
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const root = join(import.meta.dirname, '..', '..')
const { values } = parseArgs({
  options: {
    /** Another build's bin/run.js, to compare (e.g. a checkout of main). */
    bin: { type: 'string', default: join(root, 'bin', 'run.js') },
    /** Also measure this bin/run.js (e.g. a checkout of main) in the same rounds. */
    compare: { type: 'string' },
    rounds: { type: 'string', default: '7' },
    postgres: { type: 'string', default: process.env.MM_TEST_DATABASE_URL },
    'no-record': { type: 'boolean', default: false },
    /**
     * Instead of the start-up table: N `host netblock add` lines as one `mirrormanager batch`
     * against the same lines as separate processes (timed for --spawn-sample of them,
     * the total extrapolated to N), on each database, in alternating rounds.
     */
    batch: { type: 'string' },
    'spawn-sample': { type: 'string', default: '10' },
  },
})
const bin = values.bin
// PostgreSQL: a database of its own on that server, dropped at the end.
let postgresUrl
let dropDatabase = async () => {}
if (values.postgres) {
  const { default: postgres } = await import('postgres')
  const admin = postgres(values.postgres, { max: 1, onnotice: () => {} })
  const name = `mm_bench_cli_${process.pid}`
  await admin.unsafe(`create database ${name}`)
  const url = new URL(values.postgres)
  url.pathname = `/${name}`
  postgresUrl = url.href
  dropDatabase = async () => {
    await admin.unsafe(`drop database if exists ${name}`)
    await admin.end()
  }
}
const rounds = Number(values.rounds)
const dataDir = mkdtempSync(join(tmpdir(), 'mm-bench-cli-'))
const env = { ...process.env, MM_CONFIG: '/dev/null', NO_COLOR: '1', DATABASE_URL: '', MM_DATA_DIR: dataDir }

/** CPU time (user+system, ms) of this process's waited-for children, from /proc/self/stat. */
function childrenCpuMs() {
  const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /, '').split(' ')
  // after "pid (comm) ": state is field 3, cutime field 16, cstime field 17 (clock ticks, 100 Hz)
  return (Number(fields[13]) + Number(fields[14])) * 10
}

const cpu = new Map()
function run(args, input) {
  const started = process.hrtime.bigint()
  const cpuBefore = childrenCpuMs()
  const result = spawnSync(process.execPath, args, { env, encoding: 'utf8', input, maxBuffer: 64 << 20 })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (result.status !== 0) throw new Error(`${args.join(' ')}: exit ${result.status}\n${result.stderr}`)
  lastCpu = childrenCpuMs() - cpuBefore
  return ms
}
let lastCpu = 0

if (values.batch) {
  const n = Number(values.batch)
  const sample = Math.min(n, Number(values['spawn-sample']))
  const databases = [...(postgresUrl ? [['PostgreSQL', ['--database-url', postgresUrl]]] : []), ['embedded', []]]
  const rows = []
  const load = [loadavg()[0]]
  let block = 0
  const cidrs = (count) => Array.from({ length: count }, () => { const b = block++; return `10.${(b >> 8) & 255}.${b & 255}.0/24` })
  try {
    for (const [name, dbArgs] of databases) {
      run([bin, 'db', 'migrate', ...dbArgs])
      run([bin, 'batch', '-', ...dbArgs], 'site add Bench\nhost add Bench/mirror.bench.example --country US\n')
      const spawnMs = []
      const spawnCpu = []
      const batchMs = []
      const batchCpu = []
      for (let round = 0; round < rounds; round++) {
        let wall = 0
        let used = 0
        for (const cidr of cidrs(sample)) {
          wall += run([bin, 'host', 'netblock', 'add', 'mirror.bench.example', cidr, ...dbArgs])
          used += lastCpu
        }
        spawnMs.push((wall / sample) * n)
        spawnCpu.push((used / sample) * n)
        const text = cidrs(n).map((cidr) => `host netblock add mirror.bench.example ${cidr}`).join('\n')
        batchMs.push(run([bin, 'batch', '-', ...dbArgs], text))
        batchCpu.push(lastCpu)
        load.push(loadavg()[0])
      }
      rows.push([`${n} spawns of host netblock add (${name}; ${sample} timed per round, ×${+(n / sample).toFixed(1)})`, spawnMs, spawnCpu])
      rows.push([`one batch of ${n} lines (${name})`, batchMs, batchCpu])
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
    await dropDatabase()
  }
  const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]
  const lines = [
    '',
    `### ${new Date().toISOString().slice(0, 16)}Z — batch: ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}, ${bin}, ${rounds} rounds, load ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)}`,
    '',
    '| case | median wall | CPU user+sys (children) | wall ratio spawns/batch |',
    '|---|---|---|---|',
    ...rows.map(([label, wall, used], i) => `| ${label} | ${(median(wall) / 1000).toFixed(1)} s | ${(median(used) / 1000).toFixed(1)} s | ${i % 2 ? '' : `${(median(wall) / median(rows[i + 1][1])).toFixed(0)}×`} |`),
  ]
  console.log(lines.join('\n'))
  if (!values['no-record']) appendFileSync(join(root, 'bench', 'RESULTS-cli.md'), lines.join('\n') + '\n')
  process.exit(0)
}

function casesOf(bin, label) {
  const list = [
    { name: `${label}--version`, args: [bin, '--version'] },
    { name: `${label}host list --help`, args: [bin, 'host', 'list', '--help'] },
  ]
  if (values.postgres) {
    const pg = ['--database-url', postgresUrl]
    list.push({ name: `${label}db status (PostgreSQL)`, args: [bin, 'db', 'status', ...pg] })
    list.push({ name: `${label}host list --json (PostgreSQL)`, args: [bin, 'host', 'list', '--json', ...pg] })
  }
  list.push({ name: `${label}db status (embedded)`, args: [bin, 'db', 'status'] })
  list.push({ name: `${label}host list --json (embedded)`, args: [bin, 'host', 'list', '--json'] })
  return list
}
const cases = [
  { name: 'node -e 0 (baseline)', args: ['-e', '0'] },
  ...casesOf(bin, values.compare ? 'this: ' : ''),
  ...(values.compare ? casesOf(values.compare, 'compared: ') : []),
]

const times = cases.map(() => [])
const cpuTimes = cases.map(() => [])
const load = [loadavg()[0]]
try {
  // The embedded data directory is created and migrated once, before measuring.
  run([bin, 'db', 'migrate'])
  if (postgresUrl) run([bin, 'db', 'migrate', '--database-url', postgresUrl])

  for (let round = 0; round < rounds; round++) {
    cases.forEach((c, i) => {
      times[i].push(run(c.args))
      cpuTimes[i].push(lastCpu)
    })
    load.push(loadavg()[0])
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true })
  await dropDatabase()
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]
const baseline = median(times[0])
const lines = [
  '',
  `### ${new Date().toISOString().slice(0, 16)}Z — ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}, ${bin}${values.compare ? ` compared with ${values.compare}` : ''}, ${rounds} rounds, load ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)}`,
  '',
  '| command | median wall | ratio to `node -e 0` | min–max | median CPU user+sys |',
  '|---|---|---|---|---|',
  ...cases.map((c, i) => `| ${c.name} | ${(median(times[i]) / 1000).toFixed(2)} s | ${(median(times[i]) / baseline).toFixed(1)}× | ${(Math.min(...times[i]) / 1000).toFixed(2)}–${(Math.max(...times[i]) / 1000).toFixed(2)} s | ${(median(cpuTimes[i]) / 1000).toFixed(2)} s |`),
]
console.log(lines.join('\n'))
if (!values['no-record']) appendFileSync(join(root, 'bench', 'RESULTS-cli.md'), lines.join('\n') + '\n')
