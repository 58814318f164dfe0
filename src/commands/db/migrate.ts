import { DatabaseCommand } from '../../lib/cli/database-command.js'
import { SCHEMA_COMMAND_MIGRATIONS } from '../../lib/db/connect.js'
import { applyMigrations } from '../../lib/db/migrate.js'

export default class DbMigrate extends DatabaseCommand {
  static override summary = 'Apply pending database migrations.'
  static override description = `Brings the database schema up to date. Each run applies all pending migrations in one transaction, serialized by an advisory lock, so two runs against one PostgreSQL server cannot interleave.

The embedded database is migrated automatically whenever it is opened; a PostgreSQL server is migrated only by this command (other commands refuse to run against an outdated schema).`
  static override examples = [
    { description: 'Migrate a PostgreSQL server', command: 'DATABASE_URL=postgres://mm@db/mirrormanager <%= config.bin %> <%= command.id %>' },
    { description: 'Migrate the embedded database in a given directory', command: '<%= config.bin %> <%= command.id %> --data-dir /var/lib/mirrormanager' },
  ]

  async run(): Promise<{ applied: string[] }> {
    const database = await this.db(SCHEMA_COMMAND_MIGRATIONS)
    const applied = (await applyMigrations(database.sql)).map((m) => m.name)
    this.log(applied.length ? `applied: ${applied.join(', ')}` : 'the database schema is up to date')
    return { applied }
  }
}
