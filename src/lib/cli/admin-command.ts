import { recordAudit } from '../audit/audit.js'
import { cliActorName, resolveAuditScope, type AuditScope } from '../audit/audit-scope.js'
import { inTransaction, type Sql } from '../db/sql.js'
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
  /**
   * Restated on purpose: oclif's command cache walks up the class chain only while each
   * class has own static properties, so a class without any would hide the base flags
   * (--json, --data-dir, ...) of commands built on an intermediate class (host lists).
   */
  static override baseFlags = DatabaseCommand.baseFlags

  protected async sql(): Promise<Sql> {
    return (await this.db()).sql
  }

  /**
   * Runs a change to a site or host and records it in the audit trail as the local OS
   * user, in one transaction: the library function does the change, nothing else.
   * `subject` names the site or host as given on the command line (resolved before the
   * change, or after it when it did not exist yet).
   */
  protected async audited<T>(
    action: string,
    subject: { site?: string; host?: string },
    work: (tx: Sql) => Promise<T>,
    options: { before?: (tx: Sql) => Promise<unknown>; after?: (result: T) => unknown; subjectAfter?: (result: T) => { site?: string; host?: string } } = {},
  ): Promise<T> {
    return inTransaction(await this.sql(), async (tx) => {
      let scope: AuditScope | undefined = await resolveAuditScope(tx, subject).catch(() => undefined)
      const before = await options.before?.(tx)
      const result = await work(tx)
      scope ??= await resolveAuditScope(tx, options.subjectAfter?.(result) ?? subject)
      await recordAudit(tx, { actor: cliActorName(), action, ...scope, before, after: options.after ? options.after(result) : result })
      return result
    })
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
