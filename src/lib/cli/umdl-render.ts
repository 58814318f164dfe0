/** Human renderings of umdl results (scripts use --json). */
import type { ConfiguredCategory } from '../umdl/list-sources.js'
import type { UmdlSummary } from '../umdl/summary.js'
import { renderTable } from './table.js'

export function renderUmdlSources(categories: ConfiguredCategory[]): string {
  if (categories.length === 0) return 'no [[umdl.category]] sources are configured'
  return renderTable(
    [
      { header: 'category', value: (row: { name: string; source: string }) => row.name },
      { header: 'source', value: (row) => row.source },
    ],
    categories.flatMap((category) => category.sources.map((source) => ({ name: category.name, source }))),
  )
}

export function renderUmdlSummary(summary: UmdlSummary): string {
  const table = renderTable(
    [
      { header: 'category', value: (row: UmdlSummary['categories'][number]) => row.name },
      { header: 'status', value: (row) => (row.status === 'ok' ? 'ok' : `FAILED: ${row.error}`) },
      { header: 'dirs', value: (row) => row.directoriesSeen },
      { header: 'new', value: (row) => row.directoriesNew },
      { header: 'changed', value: (row) => row.directoriesChanged },
      { header: 'gone', value: (row) => (row.directoriesDeleted ? `${row.directoriesGone} (deleted)` : row.directoriesGone) },
      { header: 'repos', value: (row) => row.repositoriesCreated },
      { header: 'details +/-', value: (row) => `${row.fileDetailsAdded}/${row.fileDetailsAged}` },
      { header: 'versions', value: (row) => row.versionsCreated },
      { header: 'seconds', value: (row) => (row.durationMs / 1000).toFixed(1) },
    ],
    summary.categories,
  )
  const note = summary.dryRun ? '\n(dry run: nothing was written)' : ''
  return `${table}\ntotal ${(summary.durationMs / 1000).toFixed(1)} s${note}`
}
