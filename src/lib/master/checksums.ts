/**
 * Checksum files published next to ISO images and other big files, in every form the
 * master uses:
 *
 *     Fedora-Workstation-41-x86_64-CHECKSUM   sha256, BSD form, PGP-signed
 *     sha256sum.txt, SHA256SUM, *.sha256sum    sha256
 *     *.sha1sum, SHA1SUM                       sha1
 *     *.md5sum, MD5SUM                         md5
 *     *.sha512sum, SHA512SUM                   sha512
 *
 * Lines are `HASH *NAME`, `HASH  NAME` (GNU) or `SHA256 (NAME) = HASH` (BSD; the line
 * names its own algorithm). Everything else (comments, PGP armour) is ignored, and so is
 * a hash of the wrong length for its algorithm.
 */

export type HashAlgorithm = 'md5' | 'sha1' | 'sha256' | 'sha512'
export type Hashes = Partial<Record<HashAlgorithm, string>>

export const HASH_LENGTH: Record<HashAlgorithm, number> = { md5: 32, sha1: 40, sha256: 64, sha512: 128 }

const FILE_KINDS: [RegExp, HashAlgorithm][] = [
  [/-CHECKSUM$/, 'sha256'],
  [/^(sha256sum\.txt|SHA256SUMS?)$|\.sha256sum$/, 'sha256'],
  [/^(sha1sum\.txt|SHA1SUMS?)$|\.sha1sum$/, 'sha1'],
  [/^(md5sum\.txt|MD5SUMS?)$|\.md5sum$/, 'md5'],
  [/^(sha512sum\.txt|SHA512SUMS?)$|\.sha512sum$/, 'sha512'],
]

/** The algorithm a checksum file's name promises, or null if it is not a checksum file. */
export function checksumFileAlgorithm(filename: string): HashAlgorithm | null {
  for (const [pattern, algorithm] of FILE_KINDS) if (pattern.test(filename)) return algorithm
  return null
}

const BSD_LINE = /^(MD5|SHA1|SHA256|SHA512) \((.+)\) = ([0-9a-fA-F]+)$/
const GNU_LINE = /^([0-9a-fA-F]+) [ *](.+)$/

function validHash(algorithm: HashAlgorithm, hash: string): string | null {
  return hash.length === HASH_LENGTH[algorithm] ? hash.toLowerCase() : null
}

/**
 * Parses one checksum file's text into file name -> hashes. `algorithm` is what the file
 * name promises (GNU lines carry no algorithm of their own).
 */
export function parseChecksumFile(text: string, algorithm: HashAlgorithm): Map<string, Hashes> {
  const result = new Map<string, Hashes>()
  const add = (name: string, kind: HashAlgorithm, hash: string) => {
    const valid = validHash(kind, hash)
    if (!valid || name.includes('/') ) return
    const entry = result.get(name) ?? {}
    entry[kind] = valid
    result.set(name, entry)
  }
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd()
    const bsd = BSD_LINE.exec(line)
    if (bsd) {
      add(bsd[2], bsd[1].toLowerCase() as HashAlgorithm, bsd[3])
      continue
    }
    const gnu = GNU_LINE.exec(line)
    if (gnu) add(gnu[2].replace(/^\.\//, ''), algorithm, gnu[1])
  }
  return result
}

/** Merges hashes from several checksum files of one directory (first seen wins per algorithm). */
export function mergeHashes(into: Map<string, Hashes>, from: Map<string, Hashes>): void {
  for (const [name, hashes] of from) {
    const entry = into.get(name) ?? {}
    for (const [algorithm, hash] of Object.entries(hashes) as [HashAlgorithm, string][]) entry[algorithm] ??= hash
    into.set(name, entry)
  }
}
