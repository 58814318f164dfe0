/**
 * Query strings as the reference servers read them: split on `&`, then on the first
 * `=`; a key without `=` is present with an empty value; the last occurrence of a key
 * wins. Percent-escapes are decoded (an allowed improvement: `country=de%2Cat`), and a
 * malformed escape leaves the text as it was, so undecoded input always works.
 * Work is linear in the length of the query, whatever it contains.
 */

function decode(text: string): string {
  if (!text.includes('%')) return text
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

export function parseQuery(query: string): Map<string, string> {
  const parameters = new Map<string, string>()
  if (query === '') return parameters
  for (const pair of query.split('&')) {
    const equals = pair.indexOf('=')
    if (equals === -1) parameters.set(decode(pair), '')
    else parameters.set(decode(pair.slice(0, equals)), decode(pair.slice(equals + 1)))
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
