// The baseline: a bare undici HEAD loop against the same server, with the crawler's
// concurrency (THREADS hosts x CONNECTIONS connections), for REQUESTS requests.
import { readFileSync } from 'node:fs'
import { Pool } from 'undici'

const port = Number(process.env.PORT)
const concurrency = Number(process.env.THREADS) * Number(process.env.CONNECTIONS)
const total = Number(process.env.REQUESTS)
const dirs = Number(process.env.DIRS)
const pool = new Pool(`http://127.0.0.1:${port}`, { connections: concurrency, pipelining: 1 })
let next = 0
const started = performance.now()
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const i = next++
      const j = i % dirs
      const { body } = await pool.request({ method: 'HEAD', path: `/m${i % 100}/d${j}/p${j}.rpm` })
      await body.dump()
    }
  }),
)
const wallSeconds = (performance.now() - started) / 1000
await pool.close()
process.stdout.write(JSON.stringify({ wallSeconds, requests: total, rate: total / wallSeconds, maxRssMb: peakRssMb() }))

// VmHWM from /proc: the process's own peak resident set (rusage maxRSS is not reliable in
// every sandbox).
function peakRssMb() {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))
  return match ? Number(match[1]) / 1024 : NaN
}
