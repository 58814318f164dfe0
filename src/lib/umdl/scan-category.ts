/**
 * Scans every source of one category, in order, into one sink. The sink (the planner)
 * keeps the first source's directory when two sources have the same path.
 */
import type { UmdlCategoryConfig, UmdlConfig, UmdlSource } from './config.js'
import { scanDirectorySourceHere } from './scan-directory.js'
import { scanDirectorySource } from './scan-thread.js'
import { scanFullfiletimelistSource, scanRsyncSource } from './scan-listing.js'
import type { DirectorySink, ScanProgress, ScanResult, StoredTree } from './scan-types.js'
import type { StatAhead } from './stat-ahead.js'

/** Nothing stored yet but (perhaps) the top. */
export function isFirstScan(stored: StoredTree): boolean {
  return stored.directories.size <= 1
}

/** A category whose stored directories all live under one local top: one directory source. */
export function usesStatAhead(category: UmdlCategoryConfig): boolean {
  return category.sources.length === 1 && category.sources[0].type === 'directory'
}

function scanSource(source: UmdlSource, stored: StoredTree, config: UmdlConfig, sink: DirectorySink, progress?: ScanProgress, ahead?: StatAhead): Promise<ScanResult> {
  switch (source.type) {
    case 'directory':
      // The first scan of a category lists and writes every directory: the walk runs in a
      // worker thread, several batches ahead of the writes (measured on the bench tree:
      // 5.3–6.1 s instead of 7.7–8.8 s on PostgreSQL). A routine run lists few directories
      // and the worker's start and messages would cost more than they save (~0.1–0.2 s
      // of a 0.7 s unchanged run): it walks in this thread.
      return isFirstScan(stored)
        ? scanDirectorySource(source.path!, source.excludes, stored, sink, progress)
        : scanDirectorySourceHere(source.path!, source.excludes, stored, sink, progress, ahead)
    case 'rsync':
      return scanRsyncSource(source, stored, config.rsyncTimeoutSeconds, sink, progress)
    case 'fullfiletimelist':
      return scanFullfiletimelistSource(source, stored, sink, progress)
  }
}

/**
 * `ahead`: stats of the stored directories made by another thread (stat-ahead.ts); only
 * for a category whose one source is a directory (see usesStatAhead).
 */
export async function scanCategory(category: UmdlCategoryConfig, stored: StoredTree, config: UmdlConfig, sink: DirectorySink, progress?: ScanProgress, ahead?: StatAhead): Promise<ScanResult> {
  const merged: ScanResult = { warnings: [], directoriesListed: 0, filesRead: 0 }
  for (const source of category.sources) {
    const scan = await scanSource(source, stored, config, sink, progress, ahead)
    merged.warnings.push(...scan.warnings)
    merged.directoriesListed += scan.directoriesListed
    merged.filesRead += scan.filesRead
  }
  return merged
}
