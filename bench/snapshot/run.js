#!/usr/bin/env node
// Snapshot benchmark (see bench/snapshot/README). Loopback PostgreSQL only.
//
//   npm run build && node bench/snapshot/run.js [--server postgres://postgres@127.0.0.1:55432/postgres]
//       [--reuse-database URL] [--keep] [--seconds 3]
//
// In ONE run, on PostgreSQL: builds the Fedora-scale fixture in a fresh database (or
// reuses one), then measures
//   - generate-snapshot (the real CLI): wall time and peak RSS, against a baseline of
//     merely streaming host_category_dir through a postgres.js cursor;
//   - the snapshot size (against the 66 MB the reference's protobuf needs at this scale);
//   - loadSnapshot in a fresh process: wall and CPU time, RSS, against JSON.parse of the
//     same entries as JSON;
//   - the 900,000-line global netblocks table build (PrefixTable);
//   - selection: answers/s per request class against rendering the same bytes from
//     pre-made lines (bench/snapshot/selection.js).
// Appends a section to bench/RESULTS-snapshot.md.
import { execFileSync, spawn } from 'node:child_process'
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import postgres from 'postgres'
import { buildFedoraScale, writeGlobalNetblocks } from '../fixture/fedora-scale.js'
import { openBenchDatabase } from '../fixture/run.js'
import { selectionBenchmark } from './selection.js'

const root = new URL('../..', import.meta.url).pathname
const { values: args } = parseArgs({
  options: {
    server: { type: 'string', default: process.env.MM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:55432/postgres' },
    'reuse-database': { type: 'string' },
    keep: { type: 'boolean', default: false },
    seconds: { type: 'string', default: '3' },
    results: { type: 'string', default: join(root, 'bench', 'RESULTS-snapshot.md') },
  },
})
const work = mkdtempSync(join(tmpdir(), 'mm-bench-snapshot-'))
const log = (line) => console.error(`bench: ${line}`)

function run(command, argv, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { env: { ...process.env, MM_CONFIG: '/dev/null', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (status) => (status === 0 ? resolve({ stdout, stderr }) : reject(new Error(`${command} ${argv.join(' ')} exited ${status}:\n${stderr}`))))
  })
}

/** Peak RSS of a spawned node process: a preload prints process.resourceUsage().maxRSS at exit. */
const maxRssPreload = join(work, 'maxrss.mjs')
writeFileSync(maxRssPreload, "process.on('exit', () => process.stderr.write(`\\nmaxrss_kb=${process.resourceUsage().maxRSS}\\n`))\n")
const maxRssOf = (stderr) => Number(stderr.match(/maxrss_kb=(\d+)/)[1]) / 1024

async function fixtureDatabase() {
  if (args['reuse-database']) return { url: args['reuse-database'], drop: async () => {} }
  const url = new URL(args.server)
  url.pathname = `/mm_bench_snapshot_${process.pid}`
  const started = performance.now()
  const database = await openBenchDatabase({ databaseUrl: url.toString(), create: true })
  const built = await buildFedoraScale(database.sql, { log: (line) => log(`fixture ${line}`) })
  await database.close()
  log(`fixture built in ${((performance.now() - started) / 1000).toFixed(0)} s`)
  return {
    url: url.toString(),
    built,
    drop: async () => {
      const admin = postgres(args.server, { max: 1, onnotice: () => {} })
      await admin.unsafe(`drop database if exists "${url.pathname.slice(1)}" with (force)`)
      await admin.end()
    },
  }
}

/** Baseline: stream every host_category_dir row once, doing nothing with it. */
async function streamBaseline(url) {
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  const started = performance.now()
  let rows = 0
  await sql`select host_category_id, directory_id, up2date from host_category_dir`.cursor(10000, (batch) => {
    rows += batch.length
  })
  const seconds = (performance.now() - started) / 1000
  await sql.end()
  return { rows, seconds }
}

async function generate(url, file) {
  const started = performance.now()
  const { stdout, stderr } = await run(process.execPath, [join(root, 'bin', 'run.js'), 'generate-snapshot', '-o', file, '--json'], {
    DATABASE_URL: url,
    NODE_OPTIONS: `--import=${maxRssPreload}`,
  })
  return { wallSeconds: (performance.now() - started) / 1000, peakRssMb: maxRssOf(stderr), summary: JSON.parse(stdout) }
}

/** loadSnapshot and the JSON baseline, each in a fresh process (clean RSS). */
async function load(file) {
  const script = join(work, 'load.mjs')
  writeFileSync(
    script,
    `const { loadSnapshot } = await import(${JSON.stringify(join(root, 'dist/lib/mirrorlist/index/read.js'))})
const { readFileSync, writeFileSync } = await import('node:fs')
const mode = process.argv[2], file = process.argv[3]
const rss0 = process.memoryUsage().rss
const c0 = process.cpuUsage(), t0 = performance.now()
if (mode === 'snapshot') globalThis.kept = await loadSnapshot(file)
else globalThis.kept = JSON.parse(readFileSync(file, 'utf8'))
const c = process.cpuUsage(c0)
console.log(JSON.stringify({ wallMs: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, rssMb: process.memoryUsage().rss / 1048576, baseRssMb: rss0 / 1048576 }))
`,
  )
  const json = join(work, 'entries.json')
  const dumper = join(work, 'dump.mjs')
  writeFileSync(
    dumper,
    `const { readContainerHeader, containerBlocks, blockEntries } = await import(${JSON.stringify(join(root, 'dist/lib/snapshot/container.js'))})
const { snapshotEntryType } = await import(${JSON.stringify(join(root, 'dist/lib/snapshot/schema.js'))})
const { readFileSync, writeFileSync } = await import('node:fs')
const buffer = readFileSync(process.argv[2]), header = readContainerHeader(buffer, 'x'), entries = []
for (const block of containerBlocks(buffer, header, 'x')) for (const e of blockEntries(block, snapshotEntryType, 'x')) entries.push(e)
writeFileSync(process.argv[3], JSON.stringify(entries, (k, v) => (v && v.type === 'Buffer' ? v.data : v)))
`,
  )
  await run(process.execPath, [dumper, file, json])
  const samples = { snapshot: [], json: [] }
  for (let i = 0; i < 3; i++) {
    for (const mode of ['snapshot', 'json']) {
      const { stdout } = await run(process.execPath, [script, mode, mode === 'snapshot' ? file : json])
      samples[mode].push(JSON.parse(stdout))
    }
  }
  const median = (list, key) => list.map((s) => s[key]).sort((a, b) => a - b)[1]
  return {
    wallMs: median(samples.snapshot, 'wallMs'),
    cpuMs: median(samples.snapshot, 'cpuMs'),
    rssMb: median(samples.snapshot, 'rssMb'),
    baseRssMb: median(samples.snapshot, 'baseRssMb'),
    jsonWallMs: median(samples.json, 'wallMs'),
    jsonRssMb: median(samples.json, 'rssMb'),
    jsonBytes: statSync(json).size,
  }
}

async function netblocksBuild(file) {
  const { PrefixTable } = await import(join(root, 'dist/lib/netblocks/prefix-table.js'))
  const { parseCidr } = await import(join(root, 'dist/lib/netblocks/cidr.js'))
  const text = readFileSync(file, 'latin1')
  const started = performance.now()
  const table = new PrefixTable()
  let start = 0
  while (start < text.length) {
    const end = text.indexOf('\n', start)
    const line = text.slice(start, end === -1 ? text.length : end)
    start = end === -1 ? text.length : end + 1
    const space = line.indexOf(' ')
    const cidr = space > 0 ? parseCidr(line.slice(0, space)) : undefined
    if (cidr) table.add(cidr, Number(line.slice(space + 1)))
  }
  table.build()
  return { seconds: (performance.now() - started) / 1000, entries: table.size }
}

const database = await fixtureDatabase()
try {
  const file = join(work, 'mirrorlist.avro')
  log('baseline: streaming host_category_dir')
  const baseline = await streamBaseline(database.url)
  log(`baseline: ${baseline.rows} rows in ${baseline.seconds.toFixed(1)} s`)
  log('generate-snapshot')
  const generated = await generate(database.url, file)
  log(`generate-snapshot: ${generated.wallSeconds.toFixed(1)} s, peak RSS ${generated.peakRssMb.toFixed(0)} MB, ${generated.summary.bytes} bytes`)
  const loaded = await load(file)
  log(`load: ${loaded.wallMs.toFixed(0)} ms (JSON.parse baseline ${loaded.jsonWallMs.toFixed(0)} ms)`)
  const netblocksFile = join(work, 'global_netblocks.txt')
  writeGlobalNetblocks(netblocksFile, 900000)
  const netblocks = await netblocksBuild(netblocksFile)
  log(`global netblocks: ${netblocks.entries} blocks in ${netblocks.seconds.toFixed(2)} s`)
  const selection = await selectionBenchmark({ snapshot: file, seconds: Number(args.seconds), netblocksFile, log: (line) => log(`selection ${line}`) })

  const load1 = execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ').slice(0, 3).join(' ')
  const summary = generated.summary
  const lines = [
    `\n## ${new Date().toISOString().slice(0, 16)}Z — ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, load average ${load1}`,
    '',
    `Fixture (PostgreSQL 15 on 127.0.0.1): ${summary.hosts} hosts, ${summary.directories} directories, ${summary.repositories} repositories, ` +
      `${baseline.rows} host_category_dir rows${database.built ? `, ${database.built.counts.countries} countries` : ''}.`,
    '',
    '| measure | result | target | baseline (same run) | ratio |',
    '|---|---|---|---|---|',
    `| generate-snapshot wall time | ${generated.wallSeconds.toFixed(1)} s | < 30 s | stream host_category_dir only: ${baseline.seconds.toFixed(1)} s | ${(generated.wallSeconds / baseline.seconds).toFixed(1)}x |`,
    `| generate-snapshot peak RSS | ${generated.peakRssMb.toFixed(0)} MB | < 1 GB | | |`,
    `| snapshot size | ${(summary.bytes / 2 ** 20).toFixed(1)} MB | well under 66 MB | reference protobuf: 66 MB | ${(summary.bytes / 2 ** 20 / 66).toFixed(3)} |`,
    `| loadSnapshot (fresh process, median of 3) | ${loaded.wallMs.toFixed(0)} ms wall, ${loaded.cpuMs.toFixed(0)} ms CPU | < 2 s | JSON.parse of the same entries (${(loaded.jsonBytes / 2 ** 20).toFixed(0)} MB JSON): ${loaded.jsonWallMs.toFixed(0)} ms | ${(loaded.wallMs / loaded.jsonWallMs).toFixed(2)}x |`,
    `| RSS after load | ${loaded.rssMb.toFixed(0)} MB (node alone ${loaded.baseRssMb.toFixed(0)} MB) | | JSON.parse: ${loaded.jsonRssMb.toFixed(0)} MB | ${(loaded.rssMb / loaded.jsonRssMb).toFixed(2)}x |`,
    `| global netblocks table, ${netblocks.entries} blocks | ${netblocks.seconds.toFixed(2)} s | well under 2 s | | |`,
    '',
    `Selection (answerRequest + Buffer.from of the body, ${args.seconds} s per class, one core) against rendering the same bytes from pre-made lines:`,
    '',
    '| request class | status | body | URLs | answers/s | baseline/s | ratio |',
    '|---|---|---|---|---|---|---|',
    ...selection.results.map(
      (r) => `| ${r.name} | ${r.status} | ${r.bytes} B | ${r.urls} | ${r.perSecond.toFixed(0)} | ${r.baselinePerSecond.toFixed(0)} | ${r.ratio.toFixed(2)} |`,
    ),
    '',
  ]
  appendFileSync(args.results, lines.join('\n'))
  console.log(lines.join('\n'))
} finally {
  if (!args.keep) await database.drop()
  else log(`kept database ${database.url}`)
  rmSync(work, { recursive: true, force: true })
}
