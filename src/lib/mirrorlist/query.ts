/**
 * Query strings as the reference servers read them: split on `&`, then on the first
 * `=`; a key without `=` is present with an empty value; the last occurrence of a key
 * wins. Percent-escapes are decoded (an allowed improvement: `country=de%2Cat`), and a
 * malformed escape leaves the text as it was, so undecoded input always works.
 * Work is linear in the length of the query, whatever it contains.
 *
 * Only the parameters the servers read are kept (MirrorlistQuery); others are skipped.
 * Speed: a query is scanned with indexOf and its values kept in fixed fields, with no
 * Map and no split: a Map keyed by the request's own strings hashes each of them, and
 * that plus split() was ~3 % of a worker's time per answer (bench/RESULTS-server.md).
 */

function decode(text: string): string {
  if (!text.includes('%')) return text
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** The parameters answerRequest reads; undefined when absent, '' when present without `=`. */
export class MirrorlistQuery {
  path: string | undefined = undefined
  repo: string | undefined = undefined
  arch: string | undefined = undefined
  ip: string | undefined = undefined
  country: string | undefined = undefined
  cc: string | undefined = undefined
  protocol: string | undefined = undefined
  netblock: string | undefined = undefined
  explain: string | undefined = undefined
  time: string | undefined = undefined
  redirect: string | undefined = undefined
  format: string | undefined = undefined

  /** Keeps `value` when `key` is a parameter the servers read. */
  set(key: string, value: string): void {
    switch (key) {
      case 'path':
        this.path = value
        break
      case 'repo':
        this.repo = value
        break
      case 'arch':
        this.arch = value
        break
      case 'ip':
        this.ip = value
        break
      case 'country':
        this.country = value
        break
      case 'cc':
        this.cc = value
        break
      case 'protocol':
        this.protocol = value
        break
      case 'netblock':
        this.netblock = value
        break
      case 'explain':
        this.explain = value
        break
      case 'time':
        this.time = value
        break
      case 'redirect':
        this.redirect = value
        break
      case 'format':
        this.format = value
        break
    }
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
