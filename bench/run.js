#!/usr/bin/env node
// `npm run bench`: the index of the benchmark areas. Without an argument it lists them
// (each area's bench/<area>/README says what it measures and what it needs); with one,
// `npm run bench -- AREA [args...]` runs that area's script with the remaining arguments.
// Build first (`npm run build`): the scripts measure dist/.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const here = import.meta.dirname
/** The script of an area whose entry point is not run.js. */
const entryPoints = { checkin: 'apply.js', lifecycle: 'import-mm2.js', stats: 'ingest.js' }

const areas = readdirSync(here, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(here, entry.name, 'README')))
  .map((entry) => entry.name)
  .sort()

const scriptOf = (area) => join(here, area, entryPoints[area] ?? 'run.js')

const [area, ...rest] = process.argv.slice(2)
if (area === undefined || area === '--help' || area === '-h') {
  console.log('Benchmark areas (npm run bench -- AREA [args]; results go to bench/RESULTS-<area>.md):\n')
  for (const name of areas) {
    const summary = readFileSync(join(here, name, 'README'), 'utf8').split('\n')[0]
    console.log(`  ${name.padEnd(10)} ${summary}`)
  }
  console.log('\nSummary of every area: bench/RESULTS.md')
  process.exit(0)
}
if (!areas.includes(area) || !existsSync(scriptOf(area))) {
  console.error(`unknown benchmark area "${area}"; the areas are: ${areas.join(', ')}`)
  process.exit(2)
}
const result = spawnSync(process.execPath, [scriptOf(area), ...rest], { stdio: 'inherit' })
process.exit(result.status ?? 1)
