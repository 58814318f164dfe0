import postgres from 'postgres'
import { DatabaseUnavailableError, MigrationError } from '../errors.js'
import type { ResolvedConfig } from '../config/resolve.js'
import { startEmbeddedServer, type EmbeddedServer } from './embedded.js'
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

export interface OpenOptions {
  /** Apply pending migrations (always done for the embedded database). */
  migrate?: boolean
  /** Skip the pending-migration check (for `db status` / `db migrate`). */
  skipSchemaCheck?: boolean
  command?: string
  log?: (message: string) => void
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
 * Opens the configured database: a PostgreSQL server when database.url (DATABASE_URL)
 * is set, else the embedded PGlite in database.data_dir.
 */
export async function openDatabase(config: ResolvedConfig, options: OpenOptions = {}): Promise<Database> {
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
    embedded = await startEmbeddedServer({
      dataDir,
      wait: config.get('database.wait'),
      waitTimeoutSeconds: config.get('database.wait_timeout'),
      command: options.command,
      onInitialise: (pgdata) => options.log?.(`initialising the embedded database in ${pgdata} (first run only)`),
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
    await sql.end({ timeout: 5 })
    await embedded?.stop()
  }
  try {
    await checkReachable(sql, location)
    if (embedded || options.migrate) {
      const applied = await applyMigrations(sql)
      if (applied.length > 0) options.log?.(`applied ${applied.length} migration(s): ${applied.map((m) => m.name).join(', ')}`)
    } else if (!options.skipSchemaCheck) {
      const pending = await pendingMigrations(sql)
      if (pending.length > 0) {
        throw new MigrationError(
          `the database at ${location} needs ${pending.length} migration(s) (${pending.map((m) => m.name).join(', ')}): run \`mirrormanager db migrate\``,
        )
      }
    }
  } catch (error) {
    await close().catch(() => {})
    throw error
  }
  return { sql, kind: embedded ? 'embedded' : 'server', location, close }
}
