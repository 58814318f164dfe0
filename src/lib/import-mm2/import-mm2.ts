import { redactUrl } from '../db/connect.js'
import { inTransaction, type Sql } from '../db/sql.js'
import { silentLogger, type Logger } from '../log.js'
import { copyTable, type CopyState } from './copy-table.js'
import { hashSitePasswords } from './passwords.js'
import { ImportReport, type LegacyTableReport, type SkipReport, type TableReport } from './report.js'
import { withSource, type SourceReader } from './source.js'
import { importTables } from './tables.js'
import { advanceSequences, prepareTarget } from './target.js'

export interface ImportMm2Options {
  /** postgres:// URL of the MirrorManager2 database. */
  from: string
  /** Empty a target that holds data, and import into it. */
  replace?: boolean
  /** Run the whole import in a transaction that is rolled back. */
  dryRun?: boolean
  connectTimeoutSeconds?: number
  logger?: Logger
}

export interface ImportMm2Result {
  dryRun: boolean
  source: string
  /** Rows that were in our database before (emptied with --replace). */
  replaced: Record<string, number>
  tables: TableReport[]
  skipped: SkipReport[]
  /** MirrorManager2 tables not imported (legacy or unused), with their row counts. */
  legacyTables: LegacyTableReport[]
  /** `table.column` of MirrorManager2 columns not imported. */
  ignoredColumns: string[]
}

class DryRunRollback extends Error {}

/**
 * Copies a MirrorManager2 database into ours in one transaction on our side, keeping
 * ids: see tables.ts for what is copied and how (README, "The migration afternoon: from
 * MirrorManager2").
 */
export async function importMm2(target: Sql, options: ImportMm2Options): Promise<ImportMm2Result> {
  const logger = options.logger ?? silentLogger
  return withSource(options.from, options.connectTimeoutSeconds ?? 10, async (source) => {
    const sites = (await source.rows('select id, password from site')) as { id: number; password: string | null }[]
    logger.info(`hashing ${sites.length} site passwords`)
    const passwordHashes = await hashSitePasswords(sites)
    const report = new ImportReport()
    const state: CopyState = { context: { passwordHashes }, report, importedIds: new Map() }
    let replaced: Record<string, number> = {}
    try {
      await inTransaction(target, async (tx) => {
        replaced = await prepareTarget(tx, Boolean(options.replace))
        for (const spec of importTables) {
          const table = await copyTable(source, tx, spec, state)
          report.tables.push(table)
          logger.info(`${table.table}: ${table.imported} rows${table.skipped ? `, ${table.skipped} skipped` : ''}`)
        }
        await advanceSequences(tx)
        if (options.dryRun) throw new DryRunRollback()
      })
    } catch (error) {
      if (!(error instanceof DryRunRollback)) throw error
    }
    return {
      dryRun: Boolean(options.dryRun),
      source: redactUrl(options.from),
      replaced,
      tables: report.tables,
      skipped: report.skipped(),
      legacyTables: await legacyTables(source),
      ignoredColumns: unusedColumns(source),
    }
  })
}

async function legacyTables(source: SourceReader): Promise<LegacyTableReport[]> {
  const imported = new Set(importTables.map((spec) => spec.source))
  const legacy: LegacyTableReport[] = []
  for (const table of [...source.columns.keys()].filter((name) => !imported.has(name)).sort()) {
    legacy.push({ table, rows: await source.count(table) })
  }
  return legacy
}

/** Source columns nothing reads (host.config, the legacy pickle, and any newer MirrorManager2 column). */
function unusedColumns(source: SourceReader): string[] {
  const unused: string[] = []
  for (const spec of importTables) {
    const used = new Set(spec.columns.map((column) => column.source ?? column.target))
    for (const column of source.columns.get(spec.source) ?? []) {
      if (!used.has(column) && column !== 'id') unused.push(`${spec.source}.${column}`)
    }
  }
  return unused.sort()
}
