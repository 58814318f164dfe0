/**
 * File details of repository metadata: `repodata/repomd.xml` and an ostree `summary`.
 * Their size and four hashes go into metalinks; dnf compares the timestamp.
 */
import { createHash } from 'node:crypto'
import type { HashAlgorithm } from './checksums.js'

export interface ContentDetail {
  size: number
  md5: string
  sha1: string
  sha256: string
  sha512: string
}

/** Size and md5/sha1/sha256/sha512 of a buffer, in one pass over it each. */
export function hashContent(content: Buffer): ContentDetail {
  const digest = (algorithm: HashAlgorithm) => createHash(algorithm).update(content).digest('hex')
  return { size: content.length, md5: digest('md5'), sha1: digest('sha1'), sha256: digest('sha256'), sha512: digest('sha512') }
}

const DATA_ELEMENT = /<(?:\w+:)?data\b[^>]*>([\s\S]*?)<\/(?:\w+:)?data>/g
const TIMESTAMP = /<(?:\w+:)?timestamp>\s*(\d+)(?:\.\d+)?\s*<\/(?:\w+:)?timestamp>/g

/**
 * The newest `<timestamp>` inside the `<data>` elements of a repomd.xml (what dnf
 * compares), or null when there is none (the caller falls back to the file's mtime).
 */
export function repomdTimestamp(xml: string): number | null {
  let newest: number | null = null
  for (const data of xml.matchAll(DATA_ELEMENT)) {
    for (const stamp of data[1].matchAll(TIMESTAMP)) {
      const value = Number(stamp[1])
      if (Number.isSafeInteger(value) && (newest === null || value > newest)) newest = value
    }
  }
  return newest
}
