// One database kind per process (so peak memory is that kind's): first run, unchanged
// run, run after touching 1% of the directories. Prints one JSON line.
// Usage: node bench/umdl/measure.js <tree> embedded|postgres [postgres admin URL]
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { resolveConfig } from '../../dist/lib/config/resolve.js'
import { APPLY_MIGRATIONS, openDatabase } from '../../dist/lib/db/connect.js'
import { updateMasterDirectoryList } from '../../dist/lib/umdl/run.js'

const [tree, kind, adminUrl = 'postgres://postgres@127.0.0.1:55432/postgres'] = process.argv.slice(2)
const work = mkdtempSync(join(tmpdir(), 'mm-bench-umdl-'))
const configFile = join(work, 'mirrormanager.toml')
writeFileSync(configFile, `[[umdl.category]]\nname = "Bench"\ntype = "directory"\npath = "${tree}"\n`)

let env = { MM_DATA_DIR: join(work, 'data') }
let dropDatabase = async () => {}
if (kind === 'postgres') {
  const name = `mm_bench_umdl_${process.pid}`
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  await admin.end()
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  env = { DATABASE_URL: url.toString() }
  dropDatabase = async () => {
    const again = postgres(adminUrl, { max: 1, onnotice: () => {} })
    await again.unsafe(`drop database if exists ${name} with (force)`)
    await again.end()
  }
}
const config = resolveConfig({ env, configFile })
const database = await openDatabase(config, { migrations: APPLY_MIGRATIONS })
const { sql } = database
await sql`insert into product (name) values ('Bench')`
await sql`insert into directory (name) values ('pub/bench')`
await sql`insert into category (name, product_id, topdir_id) select 'Bench', p.id, d.id from product p, directory d`

const settle = () => new Promise((resolve) => setTimeout(resolve, 2100)) // out of the racy-ctime window
async function timed(label) {
  const started = performance.now()
  const summary = await updateMasterDirectoryList(database, { config })
  const seconds = (performance.now() - started) / 1000
  return { label, seconds, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024), totals: summary.totals }
}

/** Touches (utimes: the ctime changes) 1% of the leaf directories. */
function touchOnePercent() {
  let touched = 0
  const now = new Date()
  for (const a of readdirSync(tree)) {
    for (const b of readdirSync(join(tree, a))) {
      if (Math.random() < 0.01 * 11) {
        utimesSync(join(tree, a, b, 'd1'), now, now)
        touched++
      }
    }
  }
  return touched
}

await settle()
const results = [await timed('first')]
results.push(await timed('unchanged'))
const touched = touchOnePercent()
await settle()
results.push(await timed('touched 1%'))
await database.close()
await dropDatabase()
rmSync(work, { recursive: true, force: true })
console.log(JSON.stringify({ kind, touched, results }))
