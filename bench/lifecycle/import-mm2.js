// import-mm2 benchmark: builds a synthetic MirrorManager2 database on the test server
// (MM_TEST_DATABASE_URL), imports it into a fresh server database and into a fresh
// embedded database, and compares with two baselines measured in the same run:
//   read-only: the same cursor pass over the source without writing (the floor), and
//   row-by-row: host_category_dir inserted one row per statement (what a naive port does).
// Appends a result block to bench/RESULTS-lifecycle.md. Needs `npm run build` first.
import { appendFileSync, mkdtempSync, rmSync, cpSync } from 'node:fs'
import { tmpdir, cpus } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import postgres from 'postgres'
import { importMm2 } from '../../dist/lib/import-mm2/import-mm2.js'
import { APPLY_MIGRATIONS, COMMAND_MIGRATIONS, openDatabase } from '../../dist/lib/db/connect.js'
import { resolveConfig } from '../../dist/lib/config/resolve.js'
import { readFileSync } from 'node:fs'

const root = join(import.meta.dirname, '..', '..')
const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '600' },
    directories: { type: 'string', default: '20000' },
    'dirs-per-host': { type: 'string', default: '150' },
    'row-by-row': { type: 'string', default: '10000' },
    verbose: { type: 'boolean', default: false },
    'server-only': { type: 'boolean', default: false },
  },
})
const hosts = Number(values.hosts)
const directories = Number(values.directories)
const dirsPerHost = Number(values['dirs-per-host'])
const rowByRow = Number(values['row-by-row'])
const adminUrl = process.env.MM_TEST_DATABASE_URL
if (!adminUrl) {
  console.error('set MM_TEST_DATABASE_URL (a PostgreSQL server on 127.0.0.1)')
  process.exit(2)
}

const suffix = `${process.pid}`
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
const urlOf = (name) => Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString()
const created = []
async function createDatabase(name) {
  await admin.unsafe(`create database ${name}`)
  created.push(name)
  return urlOf(name)
}

async function buildSource(url) {
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  await sql.unsafe(readFileSync(join(root, 'test', 'fixtures', 'mm2-schema.sql'), 'utf8'))
  await sql.unsafe(`
    insert into product (id, name) values (1, 'Fedora');
    insert into arch (id, name) values (1, 'x86_64'), (2, 'aarch64');
    insert into version (id, name, product_id) select g, g::text, 1 from generate_series(30, 41) g;
    insert into directory (id, name, files, ctime)
      select g, 'pub/fedora/linux/d' || (g / 100) || '/dir' || g,
             '[{"name": "f' || g || '.rpm", "size": ' || g || ', "timestamp": 1700000000}]', 1700000000
      from generate_series(1, ${directories}) g;
    insert into category (id, name, product_id, topdir_id) values (1, 'Fedora Linux', 1, 1);
    insert into category_directory select 1, g from generate_series(1, ${directories}) g;
    insert into site (id, name, password) select g, 'site' || g, 'password' || g from generate_series(1, ${Math.ceil(hosts / 2)}) g;
    insert into host (id, name, site_id, country, asn)
      select g, 'mirror' || g || '.example', (g + 1) / 2, (array['US','DE','SE','JP','BR'])[g % 5 + 1], 64500 + g
      from generate_series(1, ${hosts}) g;
    insert into host_netblock (host_id, netblock)
      select g, '10.' || (g / 256) || '.' || (g % 256) || '.0/255.255.255.0' from generate_series(1, ${hosts}) g;
    insert into host_category (id, host_id, category_id) select g, g, 1 from generate_series(1, ${hosts}) g;
    insert into host_category_url (host_category_id, url) select g, 'https://mirror' || g || '.example/fedora/linux' from generate_series(1, ${hosts}) g;
    insert into host_category_dir (host_category_id, path, up2date, directory_id)
      select h, 'd/dir' || d, true, d
      from generate_series(1, ${hosts}) h, generate_series(1, ${dirsPerHost}) k,
           lateral (select ((h * 7919 + k * 104729) % ${directories}) + 1 as d) pick;
    insert into repository (name, prefix, category_id, version_id, arch_id, directory_id)
      select 'repo' || g, 'fedora-' || g, 1, 41, 1, g from generate_series(1, 200) g;
    insert into file_detail (directory_id, filename, timestamp, size, sha256)
      select (g % ${directories}) + 1, 'repomd.xml', 1700000000 + g, 4000, md5(g::text) from generate_series(1, ${directories * 2}) g;
  `)
  const [{ rows }] = await sql`select (select count(*) from host_category_dir)::int as rows`
  await sql.end()
  return rows
}

/** A logger that records the time each step took (import-mm2 logs one line per table). */
function stepTimer() {
  let last = performance.now()
  const steps = new Map()
  const record = (message) => {
    const now = performance.now()
    const step = message.startsWith('hashing') ? 'start' : message.split(':')[0]
    steps.set(step, now - last)
    if (values.verbose) console.error(`${((now - last) / 1000).toFixed(2)} s  ${message}`)
    last = now
  }
  return { steps, logger: { info: record, warn: record, error: record, debug: record } }
}

async function timed(work) {
  const start = performance.now()
  const result = await work()
  return { ms: performance.now() - start, result }
}

async function readOnlyPass(url) {
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  let rows = 0
  for (const table of ['product', 'arch', 'version', 'directory', 'category', 'category_directory', 'site', 'host', 'host_netblock',
    'host_category', 'host_category_url', 'host_category_dir', 'repository', 'file_detail']) {
    for await (const batch of sql.unsafe(`select * from ${table} order by 1`).cursor(1000)) rows += batch.length
  }
  await sql.end()
  return rows
}

async function rowByRowBaseline(sourceUrl, targetUrl) {
  const source = postgres(sourceUrl, { max: 1, onnotice: () => {} })
  const target = postgres(targetUrl, { max: 1, onnotice: () => {} })
  await target.unsafe('create table hcd (id int primary key, host_category_id int, directory_id int, path text, up2date boolean)')
  const rows = await source`select id, host_category_id, directory_id, path, up2date from host_category_dir order by id limit ${rowByRow}`
  const start = performance.now()
  await target.begin(async (tx) => {
    for (const row of rows) await tx`insert into hcd values (${row.id}, ${row.host_category_id}, ${row.directory_id}, ${row.path}, ${row.up2date})`
  })
  const ms = performance.now() - start
  await source.end()
  await target.end()
  return { ms, rows: rows.length }
}

try {
  const sourceUrl = await createDatabase(`mm2_bench_source_${suffix}`)
  const hcdRows = await buildSource(sourceUrl)
  const serverUrl = await createDatabase(`mm2_bench_target_${suffix}`)
  const server = await openDatabase(resolveConfig({ env: { DATABASE_URL: serverUrl }, configFile: '/dev/null' }), { migrations: APPLY_MIGRATIONS })
  const read = await timed(() => readOnlyPass(sourceUrl))
  const serverSteps = stepTimer()
  const toServer = await timed(() => importMm2(server.sql, { from: sourceUrl, logger: serverSteps.logger }))
  if (values['server-only']) process.exit(0)
  const again = await timed(() => importMm2(server.sql, { from: sourceUrl, replace: true }))
  await server.close()
  const dataDir = mkdtempSync(join(tmpdir(), 'mm-bench-'))
  const embedded = await openDatabase(resolveConfig({ env: { MM_DATA_DIR: dataDir }, configFile: '/dev/null' }), { migrations: COMMAND_MIGRATIONS })
  const toEmbedded = await timed(() => importMm2(embedded.sql, { from: sourceUrl }))
  await embedded.close()
  rmSync(dataDir, { recursive: true, force: true })
  const baselineUrl = await createDatabase(`mm2_bench_baseline_${suffix}`)
  const naive = await rowByRowBaseline(sourceUrl, baselineUrl)

  const total = toServer.result.tables.reduce((sum, table) => sum + table.imported, 0)
  const rate = (rows, ms) => Math.round(rows / (ms / 1000))
  const hcdTable = toServer.result.tables.find((table) => table.table === 'host_category_dir')
  const sites = toServer.result.tables.find((table) => table.table === 'site').imported
  // "product" is the first table: its step covers hashing the passwords and emptying the target.
  const hashing = serverSteps.steps.get('product')
  const hcdMs = serverSteps.steps.get('host_category_dir')
  const lines = [
    `\n## import-mm2 — ${new Date().toISOString()}`,
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} (shared), Node ${process.version}, PostgreSQL server on 127.0.0.1`,
    `source: ${hosts} hosts, ${directories} directories, ${hcdRows} host_category_dir rows, ${directories * 2} file details; ${total} rows imported`,
    '',
    '| run | time | rows/s | ratio |',
    '|---|---|---|---|',
    `| baseline: read-only cursor pass over the source | ${(read.ms / 1000).toFixed(1)} s | ${rate(read.result, read.ms)} | 1.00 |`,
    `| import-mm2 into a PostgreSQL server | ${(toServer.ms / 1000).toFixed(1)} s | ${rate(total, toServer.ms)} | ${(toServer.ms / read.ms).toFixed(2)} × read-only |`,
    `| … of which hashing ${sites} site passwords (scrypt) and emptying the target | ${(hashing / 1000).toFixed(1)} s | | ${(hashing / toServer.ms).toFixed(2)} of the import |`,
    `| … of which host_category_dir (${hcdTable.imported} rows, multi-row INSERT) | ${(hcdMs / 1000).toFixed(1)} s | ${rate(hcdTable.imported, hcdMs)} | |`,
    `| import-mm2 --replace (re-run) into the server | ${(again.ms / 1000).toFixed(1)} s | ${rate(total, again.ms)} | ${(again.ms / read.ms).toFixed(2)} × read-only |`,
    `| import-mm2 into the embedded database | ${(toEmbedded.ms / 1000).toFixed(1)} s | ${rate(total, toEmbedded.ms)} | ${(toEmbedded.ms / read.ms).toFixed(2)} × read-only |`,
    `| baseline: row-by-row INSERT of ${naive.rows} host_category_dir rows (server) | ${(naive.ms / 1000).toFixed(1)} s | ${rate(naive.rows, naive.ms)} | — |`,
    '',
    `host_category_dir on the server: batched multi-row INSERT ${rate(hcdTable.imported, hcdMs)} rows/s vs row-by-row ${rate(naive.rows, naive.ms)} rows/s = ${(rate(hcdTable.imported, hcdMs) / rate(naive.rows, naive.ms)).toFixed(1)}× (includes reading the source).`,
  ]
  appendFileSync(join(root, 'bench', 'RESULTS-lifecycle.md'), `${lines.join('\n')}\n`)
  console.log(lines.join('\n'))
} finally {
  for (const name of created) await admin.unsafe(`drop database if exists ${name} with (force)`)
  await admin.end()
}
