// Runs one crawl in its own process (so peak RSS is the crawler's alone) and prints
// {wallSeconds, maxRssMb, summary} as JSON. MODE=head: HEAD per file only; MODE=list:
// the default protocol order (fullfiletimelist first).
import { readFileSync } from 'node:fs'
import { resolveConfig } from '../../dist/lib/config/resolve.js'
import { openDatabase } from '../../dist/lib/db/connect.js'
import { runCrawl } from '../../dist/lib/crawl/run-crawl.js'
import { httpConnector } from '../../dist/lib/crawl/connectors/http.js'
import { silentLogger } from '../../dist/lib/log.js'

const config = resolveConfig({ env: process.env, configFile: '/dev/null' })
const database = await openDatabase(config)
const started = performance.now()
const summary = await runCrawl(database, {
  config,
  logger: silentLogger,
  threads: Number(process.env.THREADS),
  mode: 'full',
  hostTimeoutSeconds: 3600,
  globalTimeoutSeconds: 7200,
  dryRun: false,
  connectors: process.env.MODE === 'head' ? [httpConnector('http')] : undefined,
})
const wallSeconds = (performance.now() - started) / 1000
await database.close()
const { results, ...totals } = summary
process.stdout.write(JSON.stringify({ wallSeconds, maxRssMb: peakRssMb(), summary: totals, failed: results.filter((r) => r.result !== 'ok').length }))

// VmHWM from /proc: the process's own peak resident set (rusage maxRSS is not reliable in
// every sandbox).
function peakRssMb() {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))
  return match ? Number(match[1]) / 1024 : NaN
}
