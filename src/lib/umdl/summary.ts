/** What a umdl run reports: per category and in total (the `--json` output). */

export interface CategorySummary {
  name: string
  status: 'ok' | 'failed'
  /** Why it failed; nothing of this category was changed then. */
  error?: string
  sources: string[]
  directoriesSeen: number
  directoriesNew: number
  directoriesChanged: number
  /** Gone from the master; deleted only with --delete-directories. */
  directoriesGone: number
  directoriesDeleted: number
  readableChanged: number
  /** Directories listed (readdir or listing): 0 on an unchanged directory source. */
  directoriesListed: number
  /** Files looked at one by one: the per-file work. 0 on an unchanged tree. */
  filesRead: number
  fileDetailsAdded: number
  fileDetailsAged: number
  repositoriesCreated: number
  versionsCreated: string[]
  warnings: string[]
  durationMs: number
}

export interface UmdlSummary {
  dryRun: boolean
  categories: CategorySummary[]
  totals: Omit<CategorySummary, 'name' | 'status' | 'error' | 'sources' | 'warnings' | 'durationMs'> & { failed: number }
  durationMs: number
}

const COUNTERS = [
  'directoriesSeen', 'directoriesNew', 'directoriesChanged', 'directoriesGone', 'directoriesDeleted', 'readableChanged',
  'directoriesListed', 'filesRead', 'fileDetailsAdded', 'fileDetailsAged', 'repositoriesCreated',
] as const

export function emptyCategorySummary(name: string, sources: string[]): CategorySummary {
  const summary = { name, status: 'ok', sources, versionsCreated: [], warnings: [], durationMs: 0 } as unknown as CategorySummary
  for (const counter of COUNTERS) summary[counter] = 0
  return summary
}

export function totalSummary(categories: CategorySummary[], dryRun: boolean, durationMs: number): UmdlSummary {
  const totals = { failed: categories.filter((category) => category.status === 'failed').length, versionsCreated: [] } as unknown as UmdlSummary['totals']
  for (const counter of COUNTERS) totals[counter] = categories.reduce((sum, category) => sum + category[counter], 0)
  totals.versionsCreated = categories.flatMap((category) => category.versionsCreated)
  return { dryRun, categories, totals, durationMs }
}
