/**
 * `mirrormanager umdl`: update the master directory list of every configured category
 * (or those chosen), one at a time, under the umdl lock.
 */
import type { ResolvedConfig } from '../config/resolve.js'
import type { Database } from '../db/connect.js'
import { ConfigError, NotFoundError, PartialFailureError } from '../errors.js'
import { silentLogger, type Logger } from '../log.js'
import { loadUmdlConfig, type UmdlCategoryConfig } from './config.js'
import { withUmdlLock } from './lock.js'
import { compilePrefixRules } from './prefix-rules.js'
import { runCategory } from './run-category.js'
import { totalSummary, type CategorySummary, type UmdlSummary } from './summary.js'

export interface CategoryTask {
  name: string
  /** Runs the category; `update` receives progress text. Never throws: failures are in the summary. */
  run(update: (text: string) => void): Promise<CategorySummary>
}

/** Runs the tasks one after the other; the CLI passes a listr2 display (progress.ts). */
export type TaskRunner = (tasks: CategoryTask[]) => Promise<void>

export interface UmdlOptions {
  config: ResolvedConfig
  /** --category values: names to include; `^NAME` excludes. Empty: every configured category. */
  categories?: readonly string[]
  deleteDirectories?: boolean
  dryRun?: boolean
  /** Epoch seconds; default now. */
  now?: number
  logger?: Logger
  runTasks?: TaskRunner
}

export function selectCategories(configured: readonly UmdlCategoryConfig[], wanted: readonly string[] = []): UmdlCategoryConfig[] {
  const names = new Set(configured.map((category) => category.name))
  for (const value of wanted) {
    const name = value.startsWith('^') ? value.slice(1) : value
    if (!names.has(name)) throw new NotFoundError(`category "${name}" has no source in the config file (configured: ${[...names].join(', ') || 'none'})`)
  }
  const include = wanted.filter((value) => !value.startsWith('^'))
  const exclude = new Set(wanted.filter((value) => value.startsWith('^')).map((value) => value.slice(1)))
  return configured.filter((category) => (include.length === 0 || include.includes(category.name)) && !exclude.has(category.name))
}

const sequential: TaskRunner = async (tasks) => {
  for (const task of tasks) await task.run(() => {})
}

export async function updateMasterDirectoryList(database: Database, options: UmdlOptions): Promise<UmdlSummary> {
  const started = performance.now()
  const { config } = options
  const umdl = loadUmdlConfig(config)
  if (umdl.categories.length === 0) {
    throw new ConfigError(`no umdl sources: add [[umdl.category]] entries to ${config.file ?? 'the config file'}`, { key: 'umdl.category' })
  }
  const selected = selectCategories(umdl.categories, options.categories)
  const rules = compilePrefixRules(umdl.prefixRules)
  const logger = options.logger ?? silentLogger
  const now = options.now ?? Math.floor(Date.now() / 1000)
  const results: CategorySummary[] = []
  await withUmdlLock(database, async () => {
    const tasks: CategoryTask[] = selected.map((category) => ({
      name: category.name,
      async run(update) {
        const summary = await runCategory(database, category, umdl, {
          deleteDirectories: options.deleteDirectories ?? false,
          dryRun: options.dryRun ?? false,
          now,
          rules,
          logger,
          progress: (seen, changed) => update(`${seen} directories seen, ${changed} changed`),
        })
        for (const warning of summary.warnings) logger.warn(`${category.name}: ${warning}`)
        results.push(summary)
        return summary
      },
    }))
    await (options.runTasks ?? sequential)(tasks)
  }, config.get('database.pool_max'))
  const summary = totalSummary(results, options.dryRun ?? false, Math.round(performance.now() - started))
  const failed = results.filter((category) => category.status === 'failed')
  if (failed.length > 0) {
    throw new PartialFailureError(`umdl: ${failed.length} of ${results.length} categories failed: ${failed.map((category) => `${category.name} (${category.error})`).join('; ')}`, {
      details: summary as unknown as Record<string, unknown>,
    })
  }
  return summary
}
