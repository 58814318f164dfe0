/**
 * File details of one changed directory whose content is on a local disk: repomd.xml
 * (and an ostree summary) hashed here, other files from the directory's checksum files.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { checksumFileAlgorithm, mergeHashes, parseChecksumFile, type Hashes } from '../master/checksums.js'
import { hashContent, repomdTimestamp } from '../master/repomd.js'
import type { StoredFile } from '../master/short-file-list.js'
import type { FileDetailCandidate } from './scan-types.js'
import { isRepodataPath } from '../master/repodata-path.js'

function readOrNull(path: string): Buffer | null {
  try {
    return readFileSync(path)
  } catch {
    return null // vanished or unreadable since the listing: no detail this run
  }
}

function hashedDetail(directory: string, path: string, file: StoredFile, timestampFrom: (content: Buffer) => number | null): FileDetailCandidate | null {
  const content = readOrNull(join(directory, file.name))
  if (!content) return null
  const hashes = hashContent(content)
  return { path, filename: file.name, timestamp: timestampFrom(content) ?? file.timestamp, ...hashes }
}

function isOstreeDirectory(path: string): boolean {
  return `/${path}/`.includes('/ostree/') || path.endsWith('ostree')
}

/** File details of a changed directory; `files` is its full (not short-listed) file list. */
export function fileDetailsOf(directory: string, path: string, files: readonly StoredFile[]): FileDetailCandidate[] {
  // Most directories have no file a detail comes from: say so without building anything.
  if (!files.some((file) => file.name === 'repomd.xml' || file.name === 'summary' || checksumFileAlgorithm(file.name) !== null)) return []
  const details: FileDetailCandidate[] = []
  const byName = new Map(files.map((file) => [file.name, file]))
  const repomd = byName.get('repomd.xml')
  if (repomd && isRepodataPath(path)) {
    const detail = hashedDetail(directory, path, repomd, (content) => repomdTimestamp(content.toString('utf8')))
    if (detail) details.push(detail)
  }
  const summary = byName.get('summary')
  if (summary && isOstreeDirectory(path)) {
    const detail = hashedDetail(directory, path, summary, () => null)
    if (detail) details.push(detail)
  }
  const hashes = new Map<string, Hashes>()
  for (const file of files) {
    const algorithm = checksumFileAlgorithm(file.name)
    if (!algorithm || file.size > 16 * 1024 * 1024) continue
    const content = readOrNull(join(directory, file.name))
    if (content) mergeHashes(hashes, parseChecksumFile(content.toString('utf8'), algorithm))
  }
  for (const [name, fileHashes] of hashes) {
    const file = byName.get(name)
    if (!file) continue // a checksum for a file that is not here
    details.push({ path, filename: name, timestamp: file.timestamp, size: file.size, ...fileHashes })
  }
  return details
}
