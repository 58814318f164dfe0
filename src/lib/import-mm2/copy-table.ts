import type { Sql } from '../db/sql.js'
import type { ImportReport, TableReport } from './report.js'
import type { SourceReader } from './source.js'
import { RowSkip, targetColumns, type SourceRow, type TableSpec, type TargetRow, type TransformContext } from './table-spec.js'

/** What the copy of one table needs from the copies before it. */
export interface CopyState {
  context: TransformContext
  report: ImportReport
  /** Our table -> ids imported into it (for tables other tables reference). */
  importedIds: Map<string, Set<number>>
}

// Bind parameters per INSERT stay far below PostgreSQL's limit of 65535.
const PARAMETERS_PER_INSERT = 20_000

/**
 * Copies one table: reads it in batches through a cursor (the big tables never sit in
 * memory whole), maps and checks each row, and writes each batch with one multi-row
 * INSERT. Rows that conflict with an already imported row are counted, not fatal.
 */
export async function copyTable(source: SourceReader, tx: Sql, spec: TableSpec, state: CopyState): Promise<TableReport> {
  if (!source.columns.has(spec.source)) return { table: spec.target, source: null, imported: 0, skipped: 0 }
  const batchSize = Math.max(100, Math.floor(PARAMETERS_PER_INSERT / spec.columns.length))
  const sourceColumns = spec.columns.map((column) => column.source ?? column.target)
  const ids = spec.tracked ? new Set<number>() : undefined
  let read = 0
  let imported = 0
  for await (const batch of source.batches(spec.source, sourceColumns, spec.orderBy, batchSize)) {
    read += batch.length
    const rows: TargetRow[] = []
    for (const sourceRow of batch) {
      const row = mapRow(spec, sourceRow, state)
      if (row instanceof RowSkip) state.report.skip(spec.target, row)
      else rows.push(row)
    }
    imported += await insertRows(tx, spec, rows, ids, state.report)
  }
  if (ids) state.importedIds.set(spec.target, ids)
  return { table: spec.target, source: read, imported, skipped: read - imported }
}

function mapRow(spec: TableSpec, sourceRow: SourceRow, state: CopyState): TargetRow | RowSkip {
  const row: TargetRow = {}
  for (const column of spec.columns) {
    const value = sourceRow[column.source ?? column.target]
    if ((value === null || value === undefined) && column.required) {
      return new RowSkip(`no ${column.source ?? column.target}`, describe(spec, sourceRow))
    }
    row[column.target] = value === null || value === undefined ? (column.fallback ?? null) : value
  }
  for (const reference of spec.references ?? []) {
    const value = row[reference.column]
    if (value === null || state.importedIds.get(reference.table)?.has(value as number)) continue
    if (reference.required) return new RowSkip(`refers to a missing or skipped ${reference.table}`, describe(spec, row))
    row[reference.column] = null
  }
  const note = spec.note?.(row, sourceRow)
  if (note) state.report.skip(spec.target, note)
  return spec.transform ? spec.transform(row, sourceRow, state.context) : row
}

/** A few identifying values of a row for the summary (never a password). */
function describe(spec: TableSpec, row: SourceRow): string {
  return spec.columns
    .map((column) => [column.target, row[column.target]] as const)
    .filter(([name, value]) => value !== undefined && !name.startsWith('password'))
    .slice(0, 3)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ')
}

async function insertRows(tx: Sql, spec: TableSpec, rows: TargetRow[], ids: Set<number> | undefined, report: ImportReport): Promise<number> {
  if (rows.length === 0) return 0
  const columns = targetColumns(spec)
  const values = tx(rows as Record<string, unknown>[], columns as never)
  const result = ids
    ? await tx<{ id: number }[]>`insert into ${tx(spec.target)} ${values} on conflict do nothing returning id`
    : await tx`insert into ${tx(spec.target)} ${values} on conflict do nothing`
  if (ids) for (const row of result as { id: number }[]) ids.add(row.id)
  const conflicts = rows.length - result.count
  if (conflicts > 0) report.skip(spec.target, new RowSkip('duplicate of an imported row (a unique key)'), conflicts)
  return result.count
}
