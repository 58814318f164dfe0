import { DatabaseCommand } from '../../lib/cli/database-command.js'
import { SCHEMA_COMMAND_MIGRATIONS } from '../../lib/db/connect.js'
import { renderTable } from '../../lib/cli/table.js'
import { migrationStatus } from '../../lib/db/migrate.js'

interface StatusRow {
  version: number
  name: string
  appliedAt: string | null
}

export default class DbStatus extends DatabaseCommand {
  static override summary = 'Show which database migrations are applied and which are pending.'
  static override description = 'Lists every migration this mirrormanager knows with the time it was applied, or "pending". Exit status 0 either way; use --json in scripts and check for a null appliedAt.'
  static override examples = [
    { description: 'Against the embedded database', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Against a server, for a script', command: '<%= config.bin %> <%= command.id %> --database-url postgres://mm@db/mirrormanager --json' },
  ]

  async run(): Promise<{ location: string; migrations: StatusRow[] }> {
    const database = await this.db(SCHEMA_COMMAND_MIGRATIONS)
    const migrations = (await migrationStatus(database.sql)).map((m) => ({
      version: m.version,
      name: m.name,
      appliedAt: m.appliedAt ? m.appliedAt.toISOString() : null,
    }))
    this.log(`database: ${database.kind} (${database.location})`)
    this.log(
      renderTable(
        [
          { header: 'version', value: (m: StatusRow) => m.version },
          { header: 'name', value: (m) => m.name },
          { header: 'applied', value: (m) => m.appliedAt ?? 'pending' },
        ],
        migrations,
      ),
    )
    return { location: database.location, migrations }
  }
}
