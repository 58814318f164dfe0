/**
 * Streaming parser of the `fullfiletimelist` format: the list of every entry of a
 * module that the master maintains and every mirror copies (e.g. fullfiletimelist-fedora).
 *
 *     [Version]
 *     2
 *     [Files]
 *     1731412345	d	4096	releases/41/Everything/x86_64/os
 *     1731412300	f	3732	releases/41/Everything/x86_64/os/repodata/repomd.xml
 *     [Checksums SHA1]
 *     ...
 *     [End]
 *
 * Only [Version] and [Files] are read; every other section ([Checksums SHA1],
 * [Remove], ...) is skipped. Lines are handled one at a time: the file is hundreds of
 * megabytes for Fedora and is never held whole.
 */
import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { ValidationError } from '../errors.js'

/** d directory, f file, l symlink; D and - appear in other lists and are passed through. */
export type FullfiletimelistType = 'd' | 'f' | 'l' | 'D' | '-'

export interface FullfiletimelistEntry {
  /** Epoch seconds. */
  ctime: number
  type: FullfiletimelistType
  size: number
  /** Relative to the module top. */
  path: string
}

const TYPES = new Set(['d', 'f', 'l', 'D', '-'])

/** Push parser: feed lines, get entries. `version` and `ended` tell what was seen. */
export class FullfiletimelistParser {
  version: string | undefined
  /** True once [End] was read: a file without it is truncated. */
  ended = false
  sawFiles = false
  private section = ''
  private lineNumber = 0

  constructor(private readonly source = 'fullfiletimelist') {}

  line(raw: string): FullfiletimelistEntry | null {
    this.lineNumber++
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (line.startsWith('[') && line.endsWith(']')) {
      this.section = line.slice(1, -1)
      if (this.section === 'Files') this.sawFiles = true
      if (this.section === 'End') this.ended = true
      return null
    }
    if (line === '') return null
    if (this.section === 'Version') {
      this.version ??= line.trim()
      return null
    }
    if (this.section !== 'Files') return null
    return this.fileLine(line)
  }

  private fileLine(line: string): FullfiletimelistEntry {
    const first = line.indexOf('\t')
    const second = line.indexOf('\t', first + 1)
    const third = line.indexOf('\t', second + 1)
    const ctime = Number(line.slice(0, first))
    const type = line.slice(first + 1, second)
    const size = Number(line.slice(second + 1, third))
    const path = line.slice(third + 1)
    if (first < 0 || second < 0 || third < 0 || !TYPES.has(type) || !Number.isSafeInteger(ctime) || !Number.isSafeInteger(size) || path === '') {
      throw new ValidationError(`${this.source} line ${this.lineNumber}: not "ctime<TAB>type<TAB>size<TAB>path": ${JSON.stringify(line.slice(0, 200))}`)
    }
    return { ctime, type: type as FullfiletimelistType, size, path }
  }

  /** Throws unless the list was complete: a [Files] section and the closing [End]. */
  finish(): void {
    if (!this.sawFiles) throw new ValidationError(`${this.source}: no [Files] section; not a fullfiletimelist`)
    if (!this.ended) throw new ValidationError(`${this.source}: ends without [End]; the file is truncated or still being written`)
  }
}

/** Parses lines from any (async) iterable; throws at the end if the list is incomplete. */
export async function* parseFullfiletimelist(
  lines: AsyncIterable<string> | Iterable<string>,
  source?: string,
): AsyncGenerator<FullfiletimelistEntry> {
  const parser = new FullfiletimelistParser(source)
  for await (const line of lines) {
    const entry = parser.line(line)
    if (entry) yield entry
  }
  parser.finish()
}

/** Streams a fullfiletimelist file from disk. */
export function readFullfiletimelist(path: string): AsyncGenerator<FullfiletimelistEntry> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity })
  return parseFullfiletimelist(lines, path)
}
