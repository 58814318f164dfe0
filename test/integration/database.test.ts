import t from 'tap'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { databaseKinds, freshDataDir, openTestDatabase } from '../helpers/database.js'
import { runCli } from '../helpers/cli.js'
import { resolveConfig } from '../../src/lib/config/resolve.js'
import { openDatabase } from '../../src/lib/db/connect.js'
import { startEmbeddedServer } from '../../src/lib/db/embedded.js'
import { migrationStatus } from '../../src/lib/db/migrate.js'
import { inTransaction } from '../../src/lib/db/sql.js'

for (const kind of databaseKinds()) {
  t.test(`${kind}: schema is migrated and a failed transaction leaves nothing behind`, async (t) => {
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    const status = await migrationStatus(db.sql)
    t.ok(status.every((m) => m.appliedAt), 'every migration applied')
    const arches = await db.sql<{ name: string }[]>`select name from arch order by name`
    t.ok(arches.some((a) => a.name === 'x86_64'), 'arches are seeded')

    await t.rejects(
      inTransaction(db.sql, async (tx) => {
        await tx`insert into site (name) values ('half-written')`
        await tx`insert into site (name) values ('half-written')` // unique violation
      }),
    )
    const [{ count }] = await db.sql<{ count: number }[]>`select count(*)::int as count from site`
    t.equal(count, 0, 'the first insert was rolled back with the second')

    await db.sql`insert into site (name) values ('s')`
    const [{ id: hostId }] = await db.sql<{ id: number }[]>`
      insert into host (site_id, name, country) select id, 'h', 'SE' from site returning id`
    await db.sql`insert into host_netblock (host_id, netblock) values (${hostId}, '192.0.2.0/24')`
    await db.sql`delete from site`
    const [{ orphans }] = await db.sql<{ orphans: number }[]>`select count(*)::int as orphans from host_netblock`
    t.equal(orphans, 0, 'removing a site removes its hosts and their netblocks')
  })
}

t.test('embedded: a second process on the same data directory gets a clear error', async (t) => {
  const dir = await freshDataDir()
  const holder = await openDatabase(resolveConfig({ env: { MM_DATA_DIR: dir }, configFile: '/dev/null' }))
  const second = await runCli(['db', 'status'], { env: { MM_DATA_DIR: dir } })
  t.equal(second.status, 7, 'exit status 7: database unavailable')
  t.match(second.stderr, /is in use by process \d+/)
  t.match(second.stderr, /MM_DATA_DIR_LOCKED/)
  t.match(second.stderr, /--wait/)

  // With --wait it proceeds once the holder lets go.
  const waiting = runCli(['db', 'status', '--wait', '--json'], { env: { MM_DATA_DIR: dir } })
  await new Promise((resolve) => setTimeout(resolve, 1500))
  await holder.close()
  const waited = await waiting
  t.equal(waited.status, 0, waited.stderr)
  t.equal(JSON.parse(waited.stdout).location, dir)
})

t.test('embedded: a lock left by a killed process is taken over', async (t) => {
  const dir = await freshDataDir()
  const child = spawn(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'run.js'), 'db', 'status', '--wait'], {
    env: { ...process.env, MM_DATA_DIR: dir, MM_CONFIG: '/dev/null' },
    stdio: 'ignore',
  })
  await new Promise((resolve) => setTimeout(resolve, 300))
  child.kill('SIGKILL')
  await new Promise((resolve) => child.on('close', resolve))
  const after = await runCli(['db', 'status', '--json'], { env: { MM_DATA_DIR: dir } })
  t.equal(after.status, 0, after.stderr)
})

t.test('config errors exit 3 and name the key', async (t) => {
  const result = await runCli(['db', 'status'], { env: { DATABASE_URL: 'not a url' } })
  t.equal(result.status, 3)
  t.match(result.stderr, /DATABASE_URL \(config key database.url\)/)
  const json = await runCli(['db', 'status', '--json'], { env: { DATABASE_URL: 'not a url' } })
  t.equal(json.status, 3)
  t.match(JSON.parse(json.stdout), { error: { code: 'MM_CONFIG_INVALID', exitStatus: 3 } })
})

t.test('an unreachable server is exit 7, not a crash', async (t) => {
  const result = await runCli(['db', 'status'], {
    env: { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', MM_DB_CONNECT_TIMEOUT: '2' },
  })
  t.equal(result.status, 7, result.stderr)
  t.match(result.stderr, /cannot reach the database/)
})

t.test('embedded: a data directory PGlite cannot open is "database unavailable" and stays unlocked', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mm-test-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'pgdata'), 'not a directory\n')
  await t.rejects(startEmbeddedServer({ dataDir: dir }), { name: 'DatabaseUnavailableError', message: /^cannot open the embedded database in .*pgdata: / })
  t.notOk(existsSync(join(dir, 'mirrormanager.lock')), 'the lock is released')
})

t.test('embedded: a command exits by itself, with its data saved and the directory unlocked', async (t) => {
  const dir = await freshDataDir()
  const env = { MM_DATA_DIR: dir }
  const created = await runCli(['product', 'add', 'Exits', '--json'], { env, timeoutMs: 60_000 })
  t.equal(created.status, 0, created.stderr) // null would mean killed after the timeout: a hanging thread
  t.notOk(existsSync(join(dir, 'mirrormanager.lock')), 'the lock file is gone')
  const listed = await runCli(['product', 'list', '--json'], { env, timeoutMs: 60_000 })
  t.equal(listed.status, 0, listed.stderr)
  t.match(JSON.parse(listed.stdout), [{ name: 'Exits' }], 'the next process sees what the first one wrote')
})
