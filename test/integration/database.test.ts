import t from 'tap'
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { databaseKinds, freshDataDir, openTestDatabase } from '../helpers/database.js'
import { runCli, spawnCli } from '../helpers/cli.js'
import { resolveConfig } from '../../src/lib/config/resolve.js'
import { applyMigrationPolicy, COMMAND_MIGRATIONS, connectDatabase, openDatabase } from '../../src/lib/db/connect.js'
import { startEmbeddedServer } from '../../src/lib/db/embedded.js'
import { migrationStatus, pendingMigrations } from '../../src/lib/db/migrate.js'
import { inTransaction } from '../../src/lib/db/sql.js'
import postgres from 'postgres'
import { randomBytes } from 'node:crypto'

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
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const holder = await openDatabase(resolveConfig({ env: { MM_DATA_DIR: dir }, configFile: '/dev/null' }), { migrations: COMMAND_MIGRATIONS })
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
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const child = spawnCli(['db', 'status', '--wait'], {
    env: { ...process.env, MM_DATA_DIR: dir, MM_CONFIG: '/dev/null' },
    stdio: 'ignore',
  })
  await new Promise((resolve) => setTimeout(resolve, 300))
  child.kill('SIGKILL')
  await new Promise((resolve) => child.on('close', resolve))
  const after = await runCli(['db', 'status', '--json'], { env: { MM_DATA_DIR: dir } })
  t.equal(after.status, 0, after.stderr)
})

/** `path`'s mode and the modes under it that give group or others any access. */
function looseModes(root: string): string[] {
  const loose: string[] = []
  const visit = (path: string): void => {
    const stat = statSync(path)
    if ((stat.mode & 0o077) !== 0) loose.push(`${path} ${(stat.mode & 0o777).toString(8)}`)
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name))
  }
  visit(root)
  return loose
}

t.test('embedded database world-writable: pgdata 0700, files 0600 whatever the umask; old ones repaired with a warning', async (t) => {
  const previous = process.umask(0o022) // the usual umask; children inherit it
  t.teardown(() => void process.umask(previous))
  const dir = mkdtempSync(join(tmpdir(), 'mm-test-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const created = await runCli(['product', 'add', 'Private', '--json'], { env: { MM_DATA_DIR: dir }, timeoutMs: 180_000 })
  t.equal(created.status, 0, created.stderr)
  t.same(looseModes(join(dir, 'pgdata')), [], 'a new embedded database: nothing readable by group or others')
  t.equal(statSync(join(dir, 'pgdata', 'global', 'pg_control')).mode & 0o777, 0o600)

  // a data directory left by an earlier version: 0666 files, 0755 directories
  const loosen = (path: string): void => {
    const stat = statSync(path)
    chmodSync(path, stat.isDirectory() ? 0o755 : 0o666)
    if (stat.isDirectory()) for (const name of readdirSync(path)) loosen(join(path, name))
  }
  loosen(join(dir, 'pgdata'))
  const repaired = await runCli(['product', 'list', '--json'], { env: { MM_DATA_DIR: dir } })
  t.equal(repaired.status, 0, repaired.stderr)
  t.match(repaired.stderr, /was readable by other users: made \d+ files and directories private/)
  t.same(looseModes(join(dir, 'pgdata')), [], 'repaired on open')
  t.match(JSON.parse(repaired.stdout), [{ name: 'Private' }], 'and the database still works')
  const quiet = await runCli(['product', 'list'], { env: { MM_DATA_DIR: dir } })
  t.notMatch(quiet.stderr, /readable by other users/, 'no warning once private')
  // inside a 0700 pgdata nobody else can reach a file: no walk and no warning at open, tidied at close
  chmodSync(join(dir, 'pgdata', 'PG_VERSION'), 0o644)
  const inside = await runCli(['product', 'list'], { env: { MM_DATA_DIR: dir } })
  t.equal(inside.status, 0, inside.stderr)
  t.notMatch(inside.stderr, /readable by other users/, 'a loose file inside a private pgdata: no warning')
  t.same(looseModes(join(dir, 'pgdata')), [], 'and it is 0600 again after the command')
})

t.test('embedded: an empty or garbled lock file is taken over once it is not new; a new one is respected', async (t) => {
  const dir = await freshDataDir()
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const lock = join(dir, 'mirrormanager.lock')
  const old = (Date.now() - 60_000) / 1000
  writeFileSync(lock, '') // `: > mirrormanager.lock`
  utimesSync(lock, old, old)
  const empty = await runCli(['db', 'status', '--json'], { env: { MM_DATA_DIR: dir } })
  t.equal(empty.status, 0, empty.stderr)
  t.match(empty.stderr, /taking over the lock of the embedded database .*: the lock file was empty/)
  t.notOk(existsSync(lock), 'released at exit')

  writeFileSync(lock, '{"pid": 12') // half a JSON object
  utimesSync(lock, old, old)
  const garbled = await runCli(['db', 'status'], { env: { MM_DATA_DIR: dir } })
  t.equal(garbled.status, 0, garbled.stderr)
  t.match(garbled.stderr, /the lock file was unreadable/)

  // a lock file its writer just created (kept seconds old however slowly the command starts)
  writeFileSync(lock, '')
  const touching = setInterval(() => utimesSync(lock, new Date(), new Date()), 200)
  t.teardown(() => clearInterval(touching))
  const fresh = await runCli(['db', 'status'], { env: { MM_DATA_DIR: dir } })
  t.equal(fresh.status, 7, 'a lock file seconds old is respected')
  const waiting = runCli(['db', 'status', '--wait'], { env: { MM_DATA_DIR: dir }, timeoutMs: 120_000 })
  await new Promise((resolve) => setTimeout(resolve, 3000))
  clearInterval(touching)
  const waited = await waiting
  t.equal(waited.status, 0, `--wait takes it over once it is old enough: ${waited.stderr}`)
  t.match(waited.stderr, /the lock file was empty/)
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

t.test('embedded: a start that fails after the lock is taken releases it, and the next open works', async (t) => {
  const dir = await freshDataDir()
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  // A data directory readable by others makes the start warn (after the lock is taken): the failure is injected there.
  chmodSync(join(dir, 'pgdata'), 0o755)
  chmodSync(join(dir, 'pgdata', 'PG_VERSION'), 0o644)
  const warn = () => {
    throw new Error('injected failure')
  }
  await t.rejects(startEmbeddedServer({ dataDir: dir, warn }), { name: 'DatabaseUnavailableError', message: /injected failure/ })
  t.notOk(existsSync(join(dir, 'mirrormanager.lock')), 'the lock is released')
  const config = resolveConfig({ env: { MM_DATA_DIR: dir }, configFile: '/dev/null' })
  const database = await openDatabase(config, { migrations: COMMAND_MIGRATIONS })
  t.teardown(() => database.close())
  t.same([...(await database.sql`select 1 as one`)], [{ one: 1 }], 'a second open in the same process works')
})

t.test('server: connecting does not migrate; the migration policy is the caller\'s', { skip: !process.env.MM_TEST_DATABASE_URL && 'MM_TEST_DATABASE_URL is not set' }, async (t) => {
  const adminUrl = process.env.MM_TEST_DATABASE_URL!
  const name = `mm_test_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  t.teardown(async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`)
    await admin.end()
  })
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  const config = resolveConfig({ env: { DATABASE_URL: url.toString() }, configFile: '/dev/null' })
  await t.rejects(openDatabase(config, { migrations: COMMAND_MIGRATIONS }), { name: 'MigrationError', message: /needs \d+ migration\(s\) .*run `mirrormanager db migrate`/ })

  const database = await connectDatabase(config)
  t.teardown(() => database.close())
  const pending = (await pendingMigrations(database.sql)).length
  t.ok(pending > 0, 'connectDatabase left the empty database empty')
  await applyMigrationPolicy(database, 'none')
  t.equal((await pendingMigrations(database.sql)).length, pending, "'none' changes nothing")
  await t.rejects(applyMigrationPolicy(database, 'require'), { name: 'MigrationError' })
  const logged: string[] = []
  await applyMigrationPolicy(database, 'apply', (m) => logged.push(m))
  t.equal((await pendingMigrations(database.sql)).length, 0, "'apply' applies them")
  t.match(logged, [`applied ${pending} migration(s): 0001-initial`])
  await applyMigrationPolicy(database, 'require')
})

t.test('embedded: a command exits by itself, with its data saved and the directory unlocked', async (t) => {
  const dir = await freshDataDir()
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const env = { MM_DATA_DIR: dir }
  const created = await runCli(['product', 'add', 'Exits', '--json'], { env, timeoutMs: 60_000 })
  t.equal(created.status, 0, created.stderr) // null would mean killed after the timeout: a hanging thread
  t.notOk(existsSync(join(dir, 'mirrormanager.lock')), 'the lock file is gone')
  const listed = await runCli(['product', 'list', '--json'], { env, timeoutMs: 60_000 })
  t.equal(listed.status, 0, listed.stderr)
  t.match(JSON.parse(listed.stdout), [{ name: 'Exits' }], 'the next process sees what the first one wrote')
})
