/** Scans every source of one category and merges them (the first source wins a path). */
import type { UmdlCategoryConfig, UmdlConfig, UmdlSource } from './config.js'
import { scanDirectorySource } from './scan-directory.js'
import { scanFullfiletimelistSource, scanRsyncSource } from './scan-listing.js'
import type { ScanProgress, ScanResult, StoredTree } from './scan-types.js'

function scanSource(source: UmdlSource, stored: StoredTree, config: UmdlConfig, progress?: ScanProgress): Promise<ScanResult> {
  switch (source.type) {
    case 'directory':
      return scanDirectorySource(source.path!, source.excludes, stored, progress)
    case 'rsync':
      return scanRsyncSource(source, stored, config.rsyncTimeoutSeconds, progress)
    case 'fullfiletimelist':
      return scanFullfiletimelistSource(source, stored, progress)
  }
}

export async function scanCategory(category: UmdlCategoryConfig, stored: StoredTree, config: UmdlConfig, progress?: ScanProgress): Promise<ScanResult> {
  let merged: ScanResult | undefined
  for (const source of category.sources) {
    const scan = await scanSource(source, stored, config, progress)
    if (!merged) {
      merged = scan
      continue
    }
    const known = new Set(merged.directories.map((directory) => directory.path))
    const added = scan.directories.filter((directory) => !known.has(directory.path))
    const addedPaths = new Set(added.map((directory) => directory.path))
    merged.directories.push(...added)
    merged.fileDetails.push(...scan.fileDetails.filter((detail) => addedPaths.has(detail.path)))
    merged.warnings.push(...scan.warnings)
    merged.directoriesListed += scan.directoriesListed
    merged.filesRead += scan.filesRead
  }
  return merged!
}
