import * as Flags from '@oclif/core/flags'
import type { ConfigKey } from '../config/keys.js'
import { COMMAND_MIGRATIONS, openDatabase, type Database, type MigrationPolicy } from '../db/connect.js'
import { BaseCommand } from './base-command.js'

/** A command that works on the database (embedded by default, or DATABASE_URL). */
export abstract class DatabaseCommand extends BaseCommand {
  static override baseFlags = {
    ...BaseCommand.baseFlags,
    'database-url': Flags.string({
      summary: 'PostgreSQL server URL. Default: $DATABASE_URL, else the embedded database.',
      helpGroup: 'DATABASE',
    }),
    'data-dir': Flags.string({
      summary: 'Data directory of the embedded database. Default: $MM_DATA_DIR.',
      helpGroup: 'DATABASE',
    }),
    wait: Flags.boolean({
      summary: 'If another process has the embedded database open, wait for it instead of failing.',
      helpGroup: 'DATABASE',
      allowNo: false,
    }),
  }

  private database?: Database
  /** Handed in by `mirrormanager batch`: its database, whose `sql` is the batch's transaction. */
  private batchDatabase?: Database

  protected override configFlags(flags: Record<string, unknown>): Partial<Record<ConfigKey, unknown>> {
    return {
      ...super.configFlags(flags),
      'database.url': flags['database-url'],
      'database.data_dir': flags['data-dir'],
      'database.wait': flags.wait ? true : undefined,
    }
  }

  /**
   * Opens the database once per command run; closed in finally(). Migrations: what
   * commands do (COMMAND_MIGRATIONS) unless the command says otherwise.
   */
  protected async db(migrations: MigrationPolicy = COMMAND_MIGRATIONS): Promise<Database> {
    if (this.batchDatabase) return this.batchDatabase
    this.database ??= await openDatabase(this.mmConfig, {
      command: `mirrormanager ${(this.id ?? '').replaceAll(':', ' ')}`.trim(),
      log: (message) => this.logger.info(message),
      warn: (message) => this.logger.warn(message),
      migrations,
    })
    return this.database
  }

  /**
   * The one seam of `mirrormanager batch`: readies this command (constructed with the
   * line's argv: its flags are parsed and checked now) to run on the batch's database and
   * transaction, and returns its run. Parsing, validation and the library call are the
   * command's own; errors are thrown to the batch, not rendered, and the database is left
   * open (the batch commits or rolls back).
   */
  public async prepareInBatch(database: Database): Promise<() => Promise<unknown>> {
    this.batchDatabase = database
    await this.init()
    return () => this.run()
  }

  protected override async finally(error: Error | undefined): Promise<unknown> {
    const database = this.database
    this.database = undefined
    await database?.close()
    return super.finally(error)
  }
}
