/**
 * Scans every source of one category, in order, into one sink. The sink (the planner)
 * keeps the first source's directory when two sources have the same path.
 */
import type { UmdlCategoryConfig, UmdlConfig, UmdlSource } from './config.js'
import { scanDirectorySource } from './scan-directory.js'
import { scanFullfiletimelistSource, scanRsyncSource } from './scan-listing.js'
import type { DirectorySink, ScanProgress, ScanResult, StoredTree } from './scan-types.js'

function scanSource(source: UmdlSource, stored: StoredTree, config: UmdlConfig, sink: DirectorySink, progress?: ScanProgress): Promise<ScanResult> {
  switch (source.type) {
    case 'directory':
      return scanDirectorySource(source.path!, source.excludes, stored, sink, progress)
    case 'rsync':
      return scanRsyncSource(source, stored, config.rsyncTimeoutSeconds, sink, progress)
    case 'fullfiletimelist':
      return scanFullfiletimelistSource(source, stored, sink, progress)
  }
}

export async function scanCategory(category: UmdlCategoryConfig, stored: StoredTree, config: UmdlConfig, sink: DirectorySink, progress?: ScanProgress): Promise<ScanResult> {
  const merged: ScanResult = { warnings: [], directoriesListed: 0, filesRead: 0 }
  for (const source of category.sources) {
    const scan = await scanSource(source, stored, config, sink, progress)
    merged.warnings.push(...scan.warnings)
    merged.directoriesListed += scan.directoriesListed
    merged.filesRead += scan.filesRead
  }
  return merged
}
