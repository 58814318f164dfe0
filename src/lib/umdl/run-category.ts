/**
 * One category: read the stored state, scan (no transaction open: the walk is the slow
 * part), then write every change in one transaction. A source that cannot be read fails
 * the category before anything is written.
 */
import type { Database } from '../db/connect.js'
import { inTransaction } from '../db/sql.js'
import type { Logger } from '../log.js'
import { loadCategory, loadStoredDirectories } from './category-store.js'
import { describeSource, type UmdlCategoryConfig, type UmdlConfig } from './config.js'
import { deleteGoneDirectories, writeDirectories } from './directory-writer.js'
import { addFileDetails, ageFileDetails } from './file-detail-writer.js'
import { planCategory } from './plan.js'
import type { CompiledPrefixRule } from './prefix-rules.js'
import { createRepositories, repositoryCandidates } from './repository-creator.js'
import { scanCategory } from './scan-category.js'
import { storedTree, type ScanProgress } from './scan-types.js'
import { emptyCategorySummary, type CategorySummary } from './summary.js'

export interface CategoryRunOptions {
  deleteDirectories: boolean
  dryRun: boolean
  /** Epoch seconds, for aging. */
  now: number
  rules: readonly CompiledPrefixRule[]
  logger: Logger
  progress?: ScanProgress
}

class DryRunRollback extends Error {}

/** Logs (debug) how long each phase took: where a slow run spends its time. */
function phaseTimer(logger: Logger, name: string): (what: string) => void {
  let last = performance.now()
  return (what) => {
    const now = performance.now()
    logger.debug(`${name}: ${what} in ${Math.round(now - last)} ms`)
    last = now
  }
}

export async function runCategory(database: Database, categoryConfig: UmdlCategoryConfig, config: UmdlConfig, options: CategoryRunOptions): Promise<CategorySummary> {
  const started = performance.now()
  const summary = emptyCategorySummary(categoryConfig.name, categoryConfig.sources.map(describeSource))
  try {
    const phase = phaseTimer(options.logger, categoryConfig.name)
    const category = await loadCategory(database.sql, categoryConfig.name)
    const stored = await loadStoredDirectories(database.sql, category)
    phase(`loaded ${stored.size} stored directories`)
    const ctimes = new Map([...stored].map(([path, directory]) => [path, directory.ctime]))
    const scan = await scanCategory(categoryConfig, storedTree(ctimes), config, options.progress)
    phase(`scanned ${scan.directories.length} directories (${scan.directoriesListed} listed, ${scan.filesRead} files read)`)
    const plan = planCategory(stored, scan, config.shortListThreshold)
    Object.assign(summary, {
      directoriesSeen: scan.directories.length,
      directoriesListed: scan.directoriesListed,
      filesRead: scan.filesRead,
      directoriesNew: plan.upserts.filter((upsert) => upsert.isNew).length,
      directoriesChanged: plan.upserts.filter((upsert) => !upsert.isNew).length,
      directoriesGone: plan.gone.length,
      readableChanged: plan.readableChanges.length,
      warnings: scan.warnings,
    })
    await inTransaction(database.sql, async (tx) => {
      const ids = await writeDirectories(tx, category, plan)
      phase(`wrote ${plan.upserts.length} directories`)
      for (const [path, directory] of stored) if (!ids.has(path)) ids.set(path, directory.id)
      if (options.deleteDirectories) summary.directoriesDeleted = await deleteGoneDirectories(tx, category, plan)
      summary.fileDetailsAdded = await addFileDetails(tx, scan.fileDetails, ids)
      summary.fileDetailsAged = await ageFileDetails(tx, category, options.now, config.fileDetailDays)
      phase('file details added and aged')
      const created = await createRepositories(tx, category, repositoryCandidates(plan.upserts), options.rules, options.logger)
      phase('repositories checked')
      summary.repositoriesCreated = created.repositoriesCreated
      summary.versionsCreated = created.versionsCreated
      if (options.dryRun) throw new DryRunRollback()
    }).catch((error) => {
      if (!(error instanceof DryRunRollback)) throw error
    })
  } catch (error) {
    summary.status = 'failed'
    summary.error = (error as Error).message
  }
  summary.durationMs = Math.round(performance.now() - started)
  return summary
}
