/**
 * Query strings as the reference servers read them: split on `&`, then on the first
 * `=`; a key without `=` is present with an empty value; the last occurrence of a key
 * wins. Percent-escapes are decoded (an allowed improvement: `country=de%2Cat`), and a
 * malformed escape leaves the text as it was, so undecoded input always works.
 * Work is linear in the length of the query, whatever it contains.
 *
 * Only the parameters the servers read are kept (MirrorlistQuery); others are skipped.
 * Speed: a query is scanned with indexOf and its values kept in an array by parameter,
 * with no Map and no split: a Map keyed by the request's own strings hashes each of
 * them, and that plus split() was ~3 % of a worker's time per answer
 * (bench/RESULTS-server.md).
 */

function decode(text: string): string {
  if (!text.includes('%')) return text
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** The parameters answerRequest reads; any other key is skipped. */
const PARAMETER_NAMES = ['path', 'repo', 'arch', 'ip', 'country', 'cc', 'protocol', 'netblock', 'explain', 'time', 'redirect', 'format'] as const

export type ParameterName = (typeof PARAMETER_NAMES)[number]

/** Where each parameter's value is kept (a constant object: a read with a constant name is one property load). */
const POSITION = Object.fromEntries(PARAMETER_NAMES.map((name, at) => [name, at])) as Readonly<Record<ParameterName, number>>

/** A query's values of the parameters the servers read: undefined when absent, '' when present without `=`. */
export class MirrorlistQuery {
  private readonly values: (string | undefined)[] = new Array<string | undefined>(PARAMETER_NAMES.length).fill(undefined)

  get(name: ParameterName): string | undefined {
    return this.values[POSITION[name]]
  }

  has(name: ParameterName): boolean {
    return this.get(name) !== undefined
  }

  /** Keeps `value` when `key` is a parameter the servers read (a later one replaces an earlier one). */
  set(key: string, value: string): void {
    const at = (PARAMETER_NAMES as readonly string[]).indexOf(key)
    if (at !== -1) this.values[at] = value
  }
}

export function parseQuery(query: string): MirrorlistQuery {
  const parameters = new MirrorlistQuery()
  let start = 0
  // the next `=` at or after `start` (query.length when none): found once, not per pair
  let equals = -1
  while (start <= query.length) {
    let end = query.indexOf('&', start)
    if (end === -1) end = query.length
    if (equals < start) {
      equals = query.indexOf('=', start)
      if (equals === -1) equals = query.length
    }
    if (end > start) {
      if (equals >= end) parameters.set(decode(query.slice(start, end)), '')
      else parameters.set(decode(query.slice(start, equals)), decode(query.slice(equals + 1, end)))
    }
    start = end + 1
  }
  return parameters
}

/** A comma list as the reference reads it: split on `,`, sorted, duplicates removed
 *  (case-insensitively: `de,DE` is one country), empty items dropped. */
export function parseCommaList(value: string): string[] {
  const seen = new Set<string>()
  const items: string[] = []
  for (const item of value.split(',').sort()) {
    const key = item.toUpperCase()
    if (item === '' || seen.has(key)) continue
    seen.add(key)
    items.push(item)
  }
  return items
}
