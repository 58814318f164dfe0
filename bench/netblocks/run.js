#!/usr/bin/env node
// bench/netblocks (issue 20, "Performance"): `mirrormanager netblocks global` on a
// synthetic RIB (TABLE_DUMP_V2, --prefixes distinct prefixes each seen by --peers peers,
// bzip2 -9 compressed as RouteViews publishes them; made by test/helpers/mrt.ts's
// syntheticRib, no download) against `bzip2 -dc FILE > /dev/null` on the same file in the
// same run: the parse can only be as fast as the decompression it waits on. Peak RSS of
// the mirrormanager process (and of bzip2) from /usr/bin/time; a second, smaller dump
// (--small prefixes) shows how memory grows with the dump.
//
// Usage: npm run build && node bench/netblocks/run.js [--prefixes 1000000] [--peers 10]
//          [--small 250000] [--keep] (keep the generated dumps in bench/out/ for a re-run)
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { appendFileSync, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { once } from 'node:events'
import { parseArgs } from 'node:util'

const { values: args } = parseArgs({
  options: {
    prefixes: { type: 'string', default: '1000000' },
    peers: { type: 'string', default: '10' },
    small: { type: 'string', default: '250000' },
    keep: { type: 'boolean', default: false },
  },
})
const root = join(import.meta.dirname, '..', '..')
const out = join(root, 'bench', 'out')
mkdirSync(out, { recursive: true })

/** test/helpers/mrt.ts compiled on the fly (it is test code, not in dist/). */
async function loadGenerator() {
  const target = join(out, 'netblocks-gen')
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022',
    '--skipLibCheck', '--types', 'node', '--rootDir', root, '--outDir', target, join(root, 'test', 'helpers', 'mrt.ts')], { stdio: 'inherit' })
  return import(join(target, 'test', 'helpers', 'mrt.js'))
}

/**
 * The records of a dump of `prefixes` × `peers`. syntheticRib builds each record from
 * its path attributes (~1 ms a prefix: 15 minutes for a million), so it makes 8,192
 * template records here, and the dump repeats them with each record's sequence number
 * and prefix patched in: every prefix distinct (IPv4 /24s spread over the unicast space
 * as syntheticRib spreads them, then IPv6 /48s), the attributes and paths syntheticRib's.
 */
function* records(generator, prefixes, peers) {
  const ipv6Share = 0.1
  const templates = { 4: [], 6: [] }
  const sample = 8192
  let header
  for (const chunk of generator.syntheticRib({ prefixes: sample, peers, ipv6Share, varied: true })) {
    for (let offset = 0; offset < chunk.length; ) {
      const length = 12 + chunk.readUInt32BE(offset + 8)
      const record = chunk.subarray(offset, offset + length)
      const subtype = record.readUInt16BE(6)
      if (subtype === 1) header = record // PEER_INDEX_TABLE
      else templates[subtype === 2 ? 4 : 6].push(record)
      offset += length
    }
  }
  yield header
  const v6Count = Math.round(prefixes * ipv6Share)
  const v4Count = prefixes - v6Count
  const stride = Math.max(1, Math.floor((222 * 65_536) / v4Count))
  let batch = []
  for (let i = 0; i < prefixes; i++) {
    const family = i < v4Count ? 4 : 6
    const pool = templates[family]
    const record = Buffer.from(pool[i % pool.length]) // a copy: the template stays as it was
    record.writeUInt32BE(i, 12) // sequence number; 16 is the prefix length (/24 or /48), its bytes follow
    if (family === 4) {
      const net = 65_536 + i * stride
      record[17] = net >>> 16
      record[18] = (net >>> 8) & 255
      record[19] = net & 255
    } else {
      const j = i - v4Count
      record.writeUInt16BE(0x2001, 17)
      record.writeUInt16BE(0xdb9 + (j >>> 16), 19)
      record.writeUInt16BE(j & 0xffff, 21)
    }
    batch.push(record)
    if (batch.length === 2000) {
      yield Buffer.concat(batch)
      batch = []
    }
  }
  if (batch.length > 0) yield Buffer.concat(batch)
}

/** The dump for `prefixes` × `peers`, bzip2 -9, written through a pipe (never whole in memory). */
async function dump(generator, prefixes, peers) {
  const file = join(out, `rib-${prefixes}x${peers}.bz2`)
  if (existsSync(file)) return file
  const started = performance.now()
  const bzip2 = spawn('bzip2', ['-9', '-c'], { stdio: ['pipe', 'pipe', 'inherit'] })
  bzip2.stdout.pipe(createWriteStream(`${file}.tmp`))
  let raw = 0
  for (const chunk of records(generator, prefixes, peers)) {
    raw += chunk.length
    if (!bzip2.stdin.write(chunk)) await once(bzip2.stdin, 'drain')
  }
  bzip2.stdin.end()
  const [status] = await once(bzip2, 'close')
  if (status !== 0) throw new Error(`bzip2 exited ${status}`)
  renameSync(`${file}.tmp`, file)
  console.error(`# generated ${file}: ${(raw / 1e6).toFixed(0)} MB MRT, ${(statSync(file).size / 1e6).toFixed(0)} MB bz2, ${((performance.now() - started) / 1000).toFixed(0)} s`)
  return file
}

/** Wall time and peak RSS (GNU time's %M) of a command. */
function measure(command) {
  const started = performance.now()
  const result = spawnSync('/usr/bin/time', ['-f', 'maxrss_kb=%M', 'sh', '-c', command], { encoding: 'utf8', maxBuffer: 1 << 26 })
  const ms = performance.now() - started
  if (result.status !== 0) throw new Error(`${command} exited ${result.status}:\n${result.stderr}`)
  return { ms, rssMb: Number(/maxrss_kb=(\d+)/.exec(result.stderr)[1]) / 1024, stderr: result.stderr }
}

const bin = join(root, 'bin', 'run.js')
function run(file) {
  const table = join(out, `netblocks-${process.pid}.txt`)
  rmSync(table, { force: true })
  const baseline = measure(`bzip2 -dc ${file} > /dev/null`)
  // --log-level warn: the figures are the command's, not its progress output; MM_CONFIG=/dev/null: no config sources.
  const parse = measure(`MM_CONFIG=/dev/null node ${bin} netblocks global --source ${file} -o ${table} --log-level warn --json > ${table}.json`)
  const summary = JSON.parse(readFileSync(`${table}.json`, 'utf8'))
  rmSync(table, { force: true })
  rmSync(`${table}.json`, { force: true })
  return { baseline, parse, summary }
}

const generator = await loadGenerator()
const peers = Number(args.peers)
const sizes = [Number(args.small), Number(args.prefixes)]
const files = []
for (const prefixes of sizes) files.push(await dump(generator, prefixes, peers))

const git = spawnSync('git', ['-C', root, 'log', '-1', '--format=%h'], { encoding: 'utf8' }).stdout.trim()
const lines = [
  '',
  `## ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — bench/netblocks/run.js (commit ${git})`,
  '',
  `Machine: ${cpus().length} × ${cpus()[0].model}, ${(totalmem() / 2 ** 30).toFixed(0)} GB, node ${process.version}; load average at start ${loadavg().map((l) => l.toFixed(1)).join(' / ')}.`,
  `Synthetic RIB (8,192 records of test/helpers/mrt.ts syntheticRib, varied paths, repeated with distinct prefixes; 10 % IPv6 /48s, the rest IPv4 /24s), ${peers} peers per prefix, bzip2 -9.`,
  '',
  '| prefixes | bz2 size | `bzip2 -dc > /dev/null` | `netblocks global` | ratio | peak RSS (mirrormanager) | table lines |',
  '|---|---|---|---|---|---|---|',
]
for (const [index, file] of files.entries()) {
  const { baseline, parse, summary } = run(file)
  const line = `| ${sizes[index].toLocaleString('en')} | ${(statSync(file).size / 1e6).toFixed(0)} MB | ${(baseline.ms / 1000).toFixed(1)} s | ${(parse.ms / 1000).toFixed(1)} s | **${(parse.ms / baseline.ms).toFixed(2)}×** | ${parse.rssMb.toFixed(0)} MB | ${(summary.entries ?? summary.lines ?? '?').toLocaleString('en')} |`
  console.log(line)
  lines.push(line)
}
lines.push('', `Load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' / ')}.`)
appendFileSync(join(root, 'bench', 'RESULTS-netblocks.md'), lines.join('\n') + '\n')
if (!args.keep) for (const file of files) rmSync(file, { force: true })
