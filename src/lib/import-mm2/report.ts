import type { RowSkip } from './table-spec.js'

export interface TableReport {
  table: string
  /** Rows in MirrorManager2 (null: the table does not exist there). */
  source: number | null
  imported: number
  skipped: number
}

/** Rows left out (or imported with a loss), grouped by table and reason. */
export interface SkipReport {
  table: string
  reason: string
  count: number
  /** The first few rows concerned, for the operator to look at. */
  examples: string[]
}

export interface LegacyTableReport {
  table: string
  rows: number
}

const MAX_EXAMPLES = 5

/** Collects what an import did and what it left out. */
export class ImportReport {
  readonly tables: TableReport[] = []
  private readonly skips = new Map<string, SkipReport>()

  skip(table: string, skip: RowSkip, count = 1): void {
    const key = `${table}\u0000${skip.reason}`
    let entry = this.skips.get(key)
    if (!entry) this.skips.set(key, (entry = { table, reason: skip.reason, count: 0, examples: [] }))
    entry.count += count
    if (skip.example !== undefined && entry.examples.length < MAX_EXAMPLES) entry.examples.push(skip.example)
  }

  skipped(): SkipReport[] {
    return [...this.skips.values()]
  }
}
