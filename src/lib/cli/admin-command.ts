import type { Sql } from '../db/sql.js'
import { DatabaseCommand } from './database-command.js'
import { renderRecord, renderTable, type Column } from './table.js'

/** "adminActive" -> "admin active": record keys as people read them. */
function label(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase()
}

function flatten(value: unknown): unknown {
  if (Array.isArray(value) && value.some((item) => typeof item === 'object' && item !== null)) {
    return value.map((item) => Object.values(item as object).join(' ')).join('; ')
  }
  return value
}

/**
 * The admin commands (product, site, host, ...): a database handle, and the two ways
 * results are shown to people. With --json, oclif prints what run() returns instead.
 */
export abstract class AdminCommand extends DatabaseCommand {
  protected async sql(): Promise<Sql> {
    return (await this.db()).sql
  }

  /** One object as `key  value` lines. */
  protected showRecord(record: object): void {
    this.showEntries(Object.entries(record))
  }

  protected showEntries(entries: [string, unknown][]): void {
    this.log(renderRecord(entries.map(([key, value]) => [label(key), flatten(value)])))
  }

  protected showTable<Row>(columns: Column<Row>[], rows: Row[], empty: string): void {
    this.log(rows.length === 0 ? empty : renderTable(columns, rows))
  }
}
