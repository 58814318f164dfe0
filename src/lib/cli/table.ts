import { createRequire } from 'node:module'
import type TableType from 'cli-table3'

// cli-table3 (CommonJS, ~30 ms to load) only when a table is drawn: --json runs, `show`
// commands and errors never draw one (issue 22, start-up time).
const require = createRequire(import.meta.url)

export interface Column<Row> {
  header: string
  value: (row: Row) => unknown
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) return value.toISOString().replace(/\.\d{3}Z$/, 'Z')
  if (typeof value === 'boolean') return value ? 'yes' : 'no'
  if (Array.isArray(value)) return value.join(', ')
  return String(value)
}

/** A table for people; scripts use --json. */
export function renderTable<Row>(columns: Column<Row>[], rows: Row[]): string {
  const Table = require('cli-table3') as typeof TableType
  const table = new Table({ head: columns.map((c) => c.header), style: { head: [], border: [] } })
  for (const row of rows) table.push(columns.map((c) => cell(c.value(row))))
  return table.toString()
}

/** Key/value lines for one object (`show` commands). */
export function renderRecord(entries: [string, unknown][]): string {
  const width = Math.max(...entries.map(([key]) => key.length))
  return entries.map(([key, value]) => `${key.padEnd(width)}  ${cell(value)}`).join('\n')
}
