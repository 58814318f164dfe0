/**
 * Databases for integration and end-to-end tests: the embedded one (a fresh copy of a
 * pre-initialised, migrated template data directory: well under a second instead of
 * initdb's ~4 s), and a real PostgreSQL server when MM_TEST_DATABASE_URL is set (a
 * fresh database per call, dropped afterwards).
 */
import { createHash, randomBytes } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statfsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { resolveConfig, type ResolvedConfig } from '../../src/lib/config/resolve.js'
import { APPLY_MIGRATIONS, COMMAND_MIGRATIONS, openDatabase, type Database } from '../../src/lib/db/connect.js'
import { loadMigrations } from '../../src/lib/db/migrate.js'
import type { Sql } from '../../src/lib/db/sql.js'

export type DatabaseKind = 'embedded' | 'postgres'

export interface TestDatabase {
  kind: DatabaseKind
  sql: Sql
  config: ResolvedConfig
  /** Environment for a spawned `mirrormanager` that must use this database. */
  env: Record<string, string>
  /** Closes our connection (the embedded directory is unlocked, e.g. for a spawned CLI). */
  disconnect(): Promise<void>
  /** Opens it again after disconnect(). */
  reconnect(): Promise<Sql>
  /** Closes and removes the database. */
  destroy(): Promise<void>
}

const CACHE = join(import.meta.dirname, '..', '.cache')

/** The test database as the library's Database (the same connection; closing it is the test's business). */
export function asDatabase(db: TestDatabase): Database {
  return { sql: db.sql, kind: db.kind === 'postgres' ? 'server' : 'embedded', location: `test ${db.kind}`, close: async () => {} }
}

export function databaseKinds(): DatabaseKind[] {
  return process.env.MM_TEST_DATABASE_URL ? ['embedded', 'postgres'] : ['embedded']
}

/**
 * The one database of an end-to-end file whose subject is the CLI itself (parsing, output,
 * exit statuses, "nothing changed"), not the database: the PostgreSQL server when there is
 * one — a spawned command reaches it in ~0.5 s, where the embedded database costs ~1.4 s
 * of PGlite start per spawn — else the embedded database. The library under these
 * commands runs on both databases in the integration files; files where the database kind
 * changes what the CLI does (locking, workers, the demo) use databaseKinds() or name it.
 */
export function cliDatabaseKind(): DatabaseKind {
  return process.env.MM_TEST_DATABASE_URL ? 'postgres' : 'embedded'
}

function migrationsHash(): string {
  const hash = createHash('sha256')
  for (const migration of loadMigrations()) hash.update(migration.name).update(migration.sql)
  return hash.digest('hex').slice(0, 16)
}

/** The migrated template pgdata directory, built once per schema and cached. */
async function templatePgdata(): Promise<string> {
  const template = join(CACHE, `pgdata-${migrationsHash()}`)
  if (existsSync(join(template, 'PG_VERSION'))) return template
  mkdirSync(CACHE, { recursive: true })
  const work = mkdtempSync(join(CACHE, 'build-'))
  const database = await openDatabase(resolveConfig({ env: { MM_DATA_DIR: work }, configFile: '/dev/null' }), { migrations: COMMAND_MIGRATIONS })
  await database.close()
  try {
    renameSync(join(work, 'pgdata'), template) // atomic: a parallel builder either wins or finds it built
  } catch {
    // another test process built it first
  }
  rmSync(work, { recursive: true, force: true })
  return template
}

/**
 * Where fresh data directories go: tmpfs (/dev/shm) when it has room, else the OS temp
 * directory. A 40 MB, 1,200-file pgdata copy costs ~130 ms there against ~250 ms on ext4,
 * and removing it ~35 ms against ~250 ms; the suite makes over a hundred of them.
 */
const SCRATCH = ((): string => {
  try {
    const shm = statfsSync('/dev/shm')
    if (shm.bavail * shm.bsize >= 2 ** 31) return '/dev/shm'
  } catch {
    // no /dev/shm (not Linux)
  }
  return tmpdir()
})()

/** A fresh embedded data directory with the schema applied. */
export async function freshDataDir(): Promise<string> {
  const template = await templatePgdata()
  const dir = mkdtempSync(join(SCRATCH, 'mm-test-'))
  cpSync(template, join(dir, 'pgdata'), { recursive: true })
  return dir
}

/**
 * The migrated template database on the test server, built once per schema: every test
 * database is a copy of it (CREATE DATABASE ... TEMPLATE, a file copy on the server)
 * instead of running every migration again. Built under an advisory lock so parallel
 * test files build it once; renamed into place only when complete.
 */
async function templateServerDatabase(admin: postgres.Sql): Promise<string> {
  const template = `mm_template_${migrationsHash()}`
  await admin`select pg_advisory_lock(7202612)`
  try {
    const [found] = await admin`select 1 from pg_database where datname = ${template}`
    if (found) return template
    for (const { datname } of await admin<{ datname: string }[]>`select datname from pg_database where starts_with(datname, 'mm_template_')`) {
      await admin.unsafe(`drop database if exists ${datname} with (force)`) // an older schema's
    }
    const building = `mm_template_build_${process.pid}`
    await admin.unsafe(`drop database if exists ${building} with (force)`)
    await admin.unsafe(`create database ${building}`)
    const url = new URL(process.env.MM_TEST_DATABASE_URL!)
    url.pathname = `/${building}`
    const database = await openDatabase(resolveConfig({ env: { DATABASE_URL: url.toString() }, configFile: '/dev/null' }), { migrations: APPLY_MIGRATIONS })
    await database.close()
    await admin.unsafe(`alter database ${building} rename to ${template}`)
    return template
  } finally {
    await admin`select pg_advisory_unlock(7202612)`
  }
}

/** A fresh, migrated database on the test PostgreSQL server; returns its URL. */
export async function freshServerDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env.MM_TEST_DATABASE_URL
  if (!adminUrl) throw new Error('MM_TEST_DATABASE_URL is not set')
  const name = `mm_test_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  try {
    const template = await templateServerDatabase(admin)
    await admin.unsafe(`create database ${name} template ${template}`)
  } finally {
    await admin.end()
  }
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      const again = postgres(adminUrl, { max: 1, onnotice: () => {} })
      await again.unsafe(`drop database if exists ${name} with (force)`)
      await again.end()
    },
  }
}

export async function openTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  let env: Record<string, string>
  let cleanup: () => Promise<void>
  if (kind === 'embedded') {
    const dir = await freshDataDir()
    env = { MM_DATA_DIR: dir }
    cleanup = async () => rmSync(dir, { recursive: true, force: true })
  } else {
    const server = await freshServerDatabase()
    env = { DATABASE_URL: server.url }
    cleanup = server.drop
  }
  const config = resolveConfig({ env, configFile: '/dev/null' })
  let database: Database | undefined = await openDatabase(config, { migrations: COMMAND_MIGRATIONS })
  const handle: TestDatabase = {
    kind,
    sql: database.sql,
    config,
    env: { ...env, MM_CONFIG: '/dev/null' },
    async disconnect() {
      await database?.close()
      database = undefined
    },
    async reconnect() {
      database ??= await openDatabase(config, { migrations: COMMAND_MIGRATIONS })
      handle.sql = database.sql
      return database.sql
    },
    async destroy() {
      await handle.disconnect()
      await cleanup()
    },
  }
  return handle
}
