/** How one MirrorManager2 table is copied into ours. */

export type SourceRow = Record<string, unknown>
export type TargetRow = Record<string, unknown>

/** A row the import leaves out (or imports with a warning), with the reason shown in the summary. */
export class RowSkip {
  constructor(
    readonly reason: string,
    /** What identifies the row for the operator (a name, a netblock). */
    readonly example?: string,
  ) {}
}

export interface ColumnSpec {
  /** Our column. */
  target: string
  /** MirrorManager2's column; defaults to the same name. */
  source?: string
  /** Used when the source value is NULL or the source has no such column. */
  fallback?: unknown
  /** A row without a value here cannot be imported (our column is NOT NULL, no default makes sense). */
  required?: boolean
}

export interface ReferenceSpec {
  column: string
  /** Our table whose imported ids the value must be one of. */
  table: string
  /** A required reference drops the row when missing; an optional one becomes NULL. */
  required: boolean
}

export interface TableSpec {
  /** MirrorManager2's table. */
  source: string
  /** Our table. */
  target: string
  columns: ColumnSpec[]
  /** Source ordering for stable batches; the primary key. */
  orderBy: string[]
  references?: ReferenceSpec[]
  /** Other tables reference this one: remember which ids were imported. */
  tracked?: boolean
  /** Adjusts a row (column values already mapped); returns a RowSkip to leave it out. */
  transform?: (row: TargetRow, source: SourceRow, context: TransformContext) => TargetRow | RowSkip
  /** Warnings that are not skips (a directory imported without its file list). */
  note?: (row: TargetRow, source: SourceRow) => RowSkip | undefined
}

export interface TransformContext {
  /** site id -> scrypt hash of its MirrorManager2 password. */
  passwordHashes: Map<number, string | null>
}

/** Columns of our table in insert order. */
export function targetColumns(spec: TableSpec): string[] {
  return spec.columns.map((column) => column.target)
}
