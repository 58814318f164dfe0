import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { MigrationError } from '../errors.js'
import type { Sql } from './sql.js'

export interface Migration {
  version: number
  name: string
  sql: string
}

export interface MigrationStatus extends Migration {
  appliedAt?: Date
}

/** `migrations/` at the package root: the same place from src/ (tests) and dist/ (installed). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/', import.meta.url))

// Any constant shared by every mirrormanager; serializes concurrent `db migrate` runs.
const MIGRATION_LOCK_KEY = 0x6d6d6967 // "mmig"

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => /^\d{4}-[a-z0-9-]+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 4)),
      name: file.replace(/\.sql$/, ''),
      sql: readFileSync(`${dir}/${file}`, 'utf8'),
    }))
  const seen = new Set<number>()
  for (const migration of migrations) {
    if (seen.has(migration.version)) throw new MigrationError(`two migrations share version ${migration.version}`)
    seen.add(migration.version)
  }
  return migrations
}

async function ensureTable(sql: Sql): Promise<void> {
  await sql`
    create table if not exists schema_migration (
      version integer primary key,
      name text not null,
      applied_at timestamptz not null default now()
    )`
}

async function appliedVersions(sql: Sql): Promise<Map<number, Date>> {
  const rows = await sql<{ version: number; appliedAt: Date }[]>`select version, applied_at from schema_migration`
  return new Map(rows.map((row) => [row.version, row.appliedAt]))
}

export async function migrationStatus(sql: Sql): Promise<MigrationStatus[]> {
  await ensureTable(sql)
  const applied = await appliedVersions(sql)
  const known = loadMigrations()
  const knownVersions = new Set(known.map((m) => m.version))
  const unknown = [...applied.keys()].filter((v) => !knownVersions.has(v))
  if (unknown.length > 0) {
    throw new MigrationError(
      `the database has migration(s) ${unknown.join(', ')} that this mirrormanager does not know: it was written by a newer version. Upgrade mirrormanager.`,
    )
  }
  return known.map((m) => ({ ...m, appliedAt: applied.get(m.version) }))
}

export async function pendingMigrations(sql: Sql): Promise<Migration[]> {
  return (await migrationStatus(sql)).filter((m) => !m.appliedAt)
}

/**
 * Applies every pending migration in one transaction, under an advisory lock so two
 * `db migrate` runs against one server cannot interleave. Returns what was applied.
 */
export async function applyMigrations(sql: Sql): Promise<Migration[]> {
  await ensureTable(sql)
  return (await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`
    const pending = await pendingMigrations(tx as unknown as Sql)
    for (const migration of pending) {
      try {
        await tx.unsafe(migration.sql)
      } catch (error) {
        throw new MigrationError(`migration ${migration.name} failed: ${(error as Error).message}`, { cause: error })
      }
      await tx`insert into schema_migration (version, name) values (${migration.version}, ${migration.name})`
    }
    return pending
  })) as Migration[]
}
