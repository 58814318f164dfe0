/**
 * Counts access log lines into per-day requests by country, arch, repository and
 * category. Speed: a line is not parsed on its own. Everything after `IP: <ip>;` — the
 * date, country, repo and arch — repeats across millions of lines, so the tail is only
 * sliced and counted in a Map; each distinct tail is parsed once when the counts are
 * taken. Memory stays bounded: the tail map is folded into the counts whenever it grows
 * past TAIL_LIMIT (garbage lines may all differ).
 */
import { parseAccessLine } from './access-log-line.js'

export type StatCategory = 'countries' | 'archs' | 'repositories' | 'categories'
export const STAT_CATEGORIES: readonly StatCategory[] = ['countries', 'archs', 'repositories', 'categories']

const TAIL_LIMIT = 100_000
const I = 0x49
const P = 0x50
const COLON = 0x3a
const SPACE = 0x20
const SEMICOLON = 0x3b

export interface CounterContext {
  /** Countries whose clients are shown as `embargoed`, never by name. */
  embargoed: ReadonlySet<string>
  /** The category of a repository prefix and arch, when known. */
  categoryOf(repo: string, arch: string): string | undefined
}

export interface StatCount {
  category: StatCategory
  date: string
  name: string
  requests: number
}

export class AccessCounter {
  private tails = new Map<string, number>()
  /** `category \t date \t name` → requests */
  private counts = new Map<string, number>()
  readonly accesses = new Map<string, number>()
  malformed = 0
  lines = 0

  constructor(private readonly context: CounterContext) {}

  /** One line: bytes [start, end) of buffer, without its newline. */
  addLine(buffer: Buffer, start: number, end: number): void {
    this.lines++
    if (end - start < 6 || buffer[start] !== I || buffer[start + 1] !== P || buffer[start + 2] !== COLON || buffer[start + 3] !== SPACE) {
      this.malformed++
      return
    }
    const semicolon = buffer.indexOf(SEMICOLON, start + 4)
    if (semicolon < 0 || semicolon >= end || semicolon === start + 4) {
      this.malformed++
      return
    }
    const tail = buffer.toString('latin1', semicolon + 1, end)
    this.tails.set(tail, (this.tails.get(tail) ?? 0) + 1)
    if (this.tails.size > TAIL_LIMIT) this.fold()
  }

  /** Adds a line given as text (tests, other readers). */
  addText(line: string): void {
    const buffer = Buffer.from(line, 'latin1')
    this.addLine(buffer, 0, buffer.length)
  }

  private bump(category: StatCategory, date: string, name: string, requests: number): void {
    const key = `${category}\t${date}\t${name}`
    this.counts.set(key, (this.counts.get(key) ?? 0) + requests)
  }

  private fold(): void {
    for (const [tail, requests] of this.tails) {
      const line = parseAccessLine(`IP: -;${tail}`)
      if (!line) {
        this.malformed += requests
        continue
      }
      const country = line.country === 'N/A' ? 'N/A' : this.context.embargoed.has(line.country) ? 'embargoed' : line.country
      this.accesses.set(line.date, (this.accesses.get(line.date) ?? 0) + requests)
      this.bump('countries', line.date, country, requests)
      this.bump('archs', line.date, line.arch, requests)
      this.bump('repositories', line.date, line.repo, requests)
      const category = this.context.categoryOf(line.repo, line.arch)
      if (category !== undefined) this.bump('categories', line.date, category, requests)
    }
    this.tails.clear()
  }

  /** Everything counted so far. */
  result(): { counts: StatCount[]; accesses: Map<string, number>; malformed: number } {
    this.fold()
    const counts: StatCount[] = []
    for (const [key, requests] of this.counts) {
      const [category, date, name] = key.split('\t') as [StatCategory, string, string]
      counts.push({ category, date, name, requests })
    }
    return { counts, accesses: this.accesses, malformed: this.malformed }
  }
}
