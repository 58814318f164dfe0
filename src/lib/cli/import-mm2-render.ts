import type { ImportMm2Result } from '../import-mm2/import-mm2.js'
import type { TableReport } from '../import-mm2/report.js'
import { renderTable } from './table.js'

/** The import summary for people: rows per table, then everything left out. */
export function renderImportSummary(result: ImportMm2Result): string {
  const lines = [
    `${result.dryRun ? 'dry run (nothing was written): would import' : 'imported'} ${result.source}`,
    renderTable<TableReport>(
      [
        { header: 'table', value: (table) => table.table },
        { header: 'MM2 rows', value: (table) => table.source ?? 'no such table' },
        { header: 'imported', value: (table) => table.imported },
        { header: 'skipped', value: (table) => table.skipped },
      ],
      result.tables,
    ),
  ]
  const replaced = Object.entries(result.replaced)
  if (replaced.length > 0) lines.push(`replaced: ${replaced.map(([table, count]) => `${count} ${table}`).join(', ')}`)
  if (result.skipped.length > 0) {
    lines.push('skipped or imported with a loss:')
    for (const skip of result.skipped) {
      lines.push(`  ${skip.table}: ${skip.count} × ${skip.reason}${skip.examples.length ? ` (e.g. ${skip.examples.join('; ')})` : ''}`)
    }
  }
  if (result.legacyTables.length > 0) {
    lines.push(`not imported (legacy or unused): ${result.legacyTables.map((table) => `${table.table} (${table.rows} rows)`).join(', ')}`)
  }
  if (result.ignoredColumns.length > 0) lines.push(`columns not imported: ${result.ignoredColumns.join(', ')}`)
  return lines.join('\n')
}
