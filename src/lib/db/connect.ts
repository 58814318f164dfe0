import postgres from 'postgres'
import { DatabaseUnavailableError, MigrationError } from '../errors.js'
import type { ResolvedConfig } from '../config/resolve.js'
import type { EmbeddedServer } from './embedded.js'
import { applyMigrations, pendingMigrations } from './migrate.js'
import type { Sql } from './sql.js'

export interface Database {
  /** The one way to reach the database. Pass it (or a transaction's `tx`) to query functions. */
  readonly sql: Sql
  readonly kind: 'embedded' | 'server'
  /** Human description: the data directory, or the server URL without its password. */
  readonly location: string
  close(): Promise<void>
}

export interface ConnectOptions {
  /** Named in the "in use by" message of the embedded database's lock. */
  command?: string
  log?: (message: string) => void
  /** Warnings (a stale lock taken over, data-directory permissions repaired); default: `log` */
  warn?: (message: string) => void
}

/** What opening a database does about migrations not yet applied to it. */
export type MigrationAction =
  /** apply them (logged through `log`) */
  | 'apply'
  /** refuse to go on (MigrationError, exit 6): `mirrormanager db migrate` first */
  | 'require'
  /** leave the schema as it is (`db status`, `db migrate`) */
  | 'none'

/** The action for each kind of database: the caller chooses. */
export interface MigrationPolicy {
  embedded: MigrationAction
  server: MigrationAction
}

/**
 * What commands do: the embedded database is this program's own and is brought up to
 * date; a server may be shared with other processes and versions, so its schema changes
 * only when its operator runs `mirrormanager db migrate`.
 */
export const COMMAND_MIGRATIONS: MigrationPolicy = { embedded: 'apply', server: 'require' }
/** `db status` and `db migrate`, which look at (or apply) the migrations themselves. */
export const SCHEMA_COMMAND_MIGRATIONS: MigrationPolicy = { embedded: 'apply', server: 'none' }
/** Tests, benchmarks, fixtures: a database made for the purpose, migrated whatever its kind. */
export const APPLY_MIGRATIONS: MigrationPolicy = { embedded: 'apply', server: 'apply' }

export interface OpenOptions extends ConnectOptions {
  migrations: MigrationPolicy
}

// bigint columns (sizes, ctimes, timestamps) are well below 2^53: numbers, not strings.
const bigintAsNumber = {
  to: 20,
  from: [20],
  serialize: (value: number | bigint) => String(value),
  parse: (value: string) => Number(value),
}

function clientOptions(max: number, connectTimeout: number) {
  return {
    max,
    connect_timeout: connectTimeout,
    onnotice: () => {},
    transform: postgres.camel,
    types: { bigint: bigintAsNumber },
    connection: { application_name: 'mirrormanager' },
  } as const
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return '<invalid url>'
  }
}

async function checkReachable(sql: Sql, location: string): Promise<void> {
  try {
    await sql`select 1`
  } catch (error) {
    await sql.end({ timeout: 1 })
    throw new DatabaseUnavailableError(`cannot reach the database at ${location}: ${(error as Error).message}`, {
      cause: error,
    })
  }
}

/**
 * Connects to the configured database: a PostgreSQL server when database.url
 * (DATABASE_URL) is set, else the embedded PGlite in database.data_dir. Checks that it
 * answers; does nothing about migrations (applyMigrationPolicy, or openDatabase for both).
 */
export async function connectDatabase(config: ResolvedConfig, options: ConnectOptions = {}): Promise<Database> {
  const url = config.get('database.url')
  const connectTimeout = config.get('database.connect_timeout')
  let embedded: EmbeddedServer | undefined
  let sql: Sql
  let location: string
  if (url) {
    location = redactUrl(url)
    sql = postgres(url, clientOptions(config.get('database.pool_max'), connectTimeout)) as unknown as Sql
  } else {
    const dataDir = config.get('database.data_dir')!
    location = dataDir
    // Imported on use: PGlite and its socket server cost ~100 ms to load, which a command
    // on a PostgreSQL server should not pay.
    const { startEmbeddedServer } = await import('./embedded.js')
    embedded = await startEmbeddedServer({
      dataDir,
      wait: config.get('database.wait'),
      waitTimeoutSeconds: config.get('database.wait_timeout'),
      command: options.command,
      onInitialise: (pgdata) => options.log?.(`initialising the embedded database in ${pgdata} (first run only)`),
      warn: options.warn ?? options.log,
    })
    sql = postgres({
      host: embedded.host,
      port: embedded.port,
      username: 'postgres',
      database: 'postgres',
      ...clientOptions(1, connectTimeout),
    }) as unknown as Sql
  }
  const close = async () => {
    try {
      await sql.end({ timeout: 5 })
    } finally {
      await embedded?.stop()
    }
  }
  try {
    await checkReachable(sql, location)
  } catch (error) {
    await close().catch(() => {})
    throw error
  }
  return { sql, kind: embedded ? 'embedded' : 'server', location, close }
}

/** Applies, requires or ignores the migrations `database` has not had yet. */
export async function applyMigrationPolicy(database: Database, action: MigrationAction, log?: (message: string) => void): Promise<void> {
  if (action === 'apply') {
    const applied = await applyMigrations(database.sql)
    if (applied.length > 0) log?.(`applied ${applied.length} migration(s): ${applied.map((m) => m.name).join(', ')}`)
  } else if (action === 'require') {
    const pending = await pendingMigrations(database.sql)
    if (pending.length > 0) {
      throw new MigrationError(
        `the database at ${database.location} needs ${pending.length} migration(s) (${pending.map((m) => m.name).join(', ')}): run \`mirrormanager db migrate\``,
      )
    }
  }
}

/** connectDatabase, then the caller's migration policy for the kind of database it reached; closed again if that fails. */
export async function openDatabase(config: ResolvedConfig, options: OpenOptions): Promise<Database> {
  const database = await connectDatabase(config, options)
  try {
    await applyMigrationPolicy(database, options.migrations[database.kind], options.log)
  } catch (error) {
    await database.close().catch(() => {})
    throw error
  }
  return database
}
