// umdl benchmark: a synthetic master tree (>= 50,000 directories, 500,000 files),
// `find -printf '%C@ %s %p\n'` as the baseline (warm cache), then umdl first run,
// unchanged run and after touching 1% of directories, on the embedded database and on
// PostgreSQL. Appends a section to bench/RESULTS-umdl.md.
// Usage: npm run build && node bench/umdl/run.js [--scale 1] [--postgres postgres://postgres@127.0.0.1:55432/postgres] [--keep] [--reuse]
import { execFileSync, spawnSync } from 'node:child_process'
import { appendFileSync, existsSync, rmSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { generateTree, SHAPE } from './generate-tree.js'

const args = process.argv.slice(2)
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback)
const scale = Number(option('--scale', '1'))
const postgresUrl = option('--postgres', 'postgres://postgres@127.0.0.1:55432/postgres')
const root = join(import.meta.dirname, '..', 'out', `umdl-tree-${scale}`)
const shape = { ...SHAPE, top: Math.max(1, Math.round(SHAPE.top * scale)) }

const reuse = args.includes('--reuse') && existsSync(root) // a tree left by --keep (generating it takes minutes on a busy machine)
if (!reuse) rmSync(root, { recursive: true, force: true })
let started = performance.now()
const counts = generateTree(root, shape, { countOnly: reuse })
console.log(`${reuse ? 'reused' : 'generated'} ${counts.directories} directories, ${counts.files} files in ${((performance.now() - started) / 1000).toFixed(1)} s`)

function findSeconds() {
  const t0 = performance.now()
  execFileSync('sh', ['-c', `find '${root}' -printf '%C@ %s %p\\n' >/dev/null`])
  return (performance.now() - t0) / 1000
}
findSeconds() // warm the cache
const baseline = Math.min(findSeconds(), findSeconds())
console.log(`baseline find: ${baseline.toFixed(2)} s`)

const runs = []
for (const kind of ['embedded', 'postgres']) {
  const child = spawnSync(process.execPath, [join(import.meta.dirname, 'measure.js'), root, kind, postgresUrl], { encoding: 'utf8' })
  if (child.status !== 0) {
    console.error(`${kind} failed:\n${child.stderr}`)
    continue
  }
  const result = JSON.parse(child.stdout.trim().split('\n').pop())
  runs.push(result)
  for (const r of result.results) console.log(`${kind} ${r.label}: ${r.seconds.toFixed(2)} s (${(r.seconds / baseline).toFixed(2)}x find), maxRSS ${r.maxRssMb} MB, filesRead ${r.totals.filesRead}, changed ${r.totals.directoriesChanged}`)
}

const targets = { first: 3, unchanged: 1, 'touched 1%': 0.3 }
const lines = [
  '',
  `## ${new Date().toISOString().slice(0, 16)}Z — scale ${scale}`,
  '',
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GB, shared with other work; Node ${process.version}.`,
  `Tree: ${counts.directories} directories, ${counts.files} files (empty), ${shape.top}×${shape.middle}×${shape.leaf} leaves.`,
  `Baseline: \`find <tree> -printf '%C@ %s %p\\n' >/dev/null\`, warm cache, best of 2: **${baseline.toFixed(2)} s**.`,
  'umdl times are the library call in one process (database already open; CLI start-up and opening the embedded database add ~1–2 s).',
  '',
  '| database | run | seconds | × find | target | met | peak RSS (MB) | directories changed | files read |',
  '|---|---|---|---|---|---|---|---|---|',
]
for (const run of runs) {
  for (const r of run.results) {
    const ratio = r.seconds / baseline
    lines.push(`| ${run.kind} | ${r.label} | ${r.seconds.toFixed(2)} | ${ratio.toFixed(2)} | ≤ ${targets[r.label]} | ${ratio <= targets[r.label] ? 'yes' : '**no**'} | ${r.maxRssMb} | ${r.totals.directoriesChanged + r.totals.directoriesNew} | ${r.totals.filesRead} |`)
  }
}
appendFileSync(join(import.meta.dirname, '..', 'RESULTS-umdl.md'), lines.join('\n') + '\n')
if (!args.includes('--keep')) rmSync(root, { recursive: true, force: true })
