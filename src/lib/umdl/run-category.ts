/**
 * One category: read the stored state, then in one transaction scan and write as the
 * scan goes (directory-writer.ts), then gone directories, file details, aging and
 * repositories. A source that cannot be read fails the category and nothing is written.
 */
import type { Database } from '../db/connect.js'
import { inTransaction } from '../db/sql.js'
import { vacuumAfterWrites, type VacuumedTable } from '../db/vacuum.js'
import type { Logger } from '../log.js'
import { loadCategory, loadStoredDirectories } from './category-store.js'
import { describeSource, type UmdlCategoryConfig, type UmdlConfig } from './config.js'
import { deleteGoneDirectories, directoryIds, DirectoryBatchWriter, ROUTINE_RUN_EAGER_ROWS } from './directory-writer.js'
import { addFileDetails, ageFileDetails } from './file-detail-writer.js'
import { CategoryPlanner } from './plan.js'
import type { CompiledPrefixRule } from './prefix-rules.js'
import { createRepositories } from './repository-creator.js'
import { isFirstScan, scanCategory, usesStatAhead } from './scan-category.js'
import { startStatAhead } from './stat-ahead.js'
import type { ScanProgress } from './scan-types.js'
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

/**
 * The tables of umdl's own that a category's run wrote to (to vacuum afterwards), none
 * if it wrote nothing. Not host_category_dir, which deleted directories cascade to: that
 * is the crawler's table, large and rewritten by every crawl, and vacuuming it belongs to
 * the crawl, not to a umdl run that happened to delete a directory.
 */
function writtenTables(summary: CategorySummary): VacuumedTable[] {
  const wrote = summary.directoriesNew + summary.directoriesChanged + summary.readableChanged + summary.directoriesDeleted +
    summary.fileDetailsAdded + summary.fileDetailsAged + summary.repositoriesCreated > 0
  return wrote ? ['directory', 'category_directory', 'file_detail'] : []
}

function manyNewLinks(added: number, stored: number): boolean {
  return added >= 1000 && added >= stored / 10
}

export async function runCategory(database: Database, categoryConfig: UmdlCategoryConfig, config: UmdlConfig, options: CategoryRunOptions): Promise<CategorySummary> {
  const started = performance.now()
  const summary = emptyCategorySummary(categoryConfig.name, categoryConfig.sources.map(describeSource))
  // Started first, so that it has booted when the stored state has been read (stat-ahead.ts).
  let ahead = usesStatAhead(categoryConfig) ? startStatAhead(categoryConfig.sources[0].path!) : undefined
  try {
    const phase = phaseTimer(options.logger, categoryConfig.name)
    const category = await loadCategory(database.sql, categoryConfig.name)
    const stored = await loadStoredDirectories(database.sql, category, ahead && ((flat, count) => ahead!.start(flat, count)))
    phase(`loaded ${stored.directories.size} stored directories`)
    if (ahead && isFirstScan(stored.tree)) {
      await ahead.stop() // nothing stored to stat: the first walk runs in its own worker
      ahead = undefined
    }
    const committed = await inTransaction(database.sql, async (tx) => {
      // The scan streams into the writer inside the transaction: the database writes
      // while the tree is walked, and a failure anywhere (an unreadable source, a lost
      // connection) rolls the whole category back.
      const planner = new CategoryPlanner(stored.directories, config.shortListThreshold)
      const writer = new DirectoryBatchWriter(tx, category, planner, isFirstScan(stored.tree) ? Infinity : ROUTINE_RUN_EAGER_ROWS)
      const scan = await scanCategory(categoryConfig, stored.tree, config, writer.add, options.progress, ahead)
      ahead?.halt() // the walk is over: its core is the database's again
      await writer.finish()
      const aheadNote = ahead ? `, ${ahead.taken} stats from the stat-ahead worker` : ''
      phase(`scanned and wrote ${planner.seenCount} directories (${scan.directoriesListed} listed, ${scan.filesRead} files read, ${writer.directoriesNew + writer.directoriesChanged} written; ${Math.round(writer.waitedMs)} ms waiting for the database${aheadNote})`)
      const gone = planner.gone()
      Object.assign(summary, {
        directoriesSeen: planner.seenCount,
        directoriesListed: scan.directoriesListed,
        filesRead: scan.filesRead,
        directoriesNew: writer.directoriesNew,
        directoriesChanged: writer.directoriesChanged,
        directoriesGone: gone.length,
        readableChanged: planner.readableChanges.length,
        warnings: scan.warnings,
      })
      if (options.deleteDirectories) summary.directoriesDeleted = await deleteGoneDirectories(tx, category, gone)
      if (manyNewLinks(writer.directoriesNew, stored.directories.size)) {
        // The next run's read of the stored directories joins category_directory: without
        // statistics (the embedded database has no autovacuum) the planner expects a few
        // hundred rows and loops over an index 55,000 times. Two integer columns: ~20 ms.
        await tx`analyze category_directory`
      }
      const ids = await directoryIds(tx, category, writer.fileDetails.map((detail) => detail.path))
      summary.fileDetailsAdded = await addFileDetails(tx, writer.fileDetails, ids)
      summary.fileDetailsAged = await ageFileDetails(tx, category, options.now, config.fileDetailDays)
      phase('file details added and aged')
      const created = await createRepositories(tx, category, writer.repositoryPaths, options.rules, options.logger)
      phase('repositories checked')
      summary.repositoriesCreated = created.repositoriesCreated
      summary.versionsCreated = created.versionsCreated
      if (options.dryRun) throw new DryRunRollback()
    }).then(() => true, (error) => {
      if (!(error instanceof DryRunRollback)) throw error
      return false
    })
    if (committed) {
      // The embedded database has no autovacuum (src/lib/db/vacuum.ts). A failure here
      // undoes nothing that was written: a warning, not a failed category.
      try {
        if (await vacuumAfterWrites(database, writtenTables(summary))) phase('vacuumed')
      } catch (error) {
        summary.warnings.push(`vacuum after the writes failed: ${(error as Error).message}`)
      }
    }
  } catch (error) {
    summary.status = 'failed'
    summary.error = (error as Error).message
  } finally {
    await ahead?.stop()
  }
  summary.durationMs = Math.round(performance.now() - started)
  return summary
}
