/**
 * One line of serve-mirrorlist's statistics access log (src/http/mirrorlist/access-log.ts):
 *
 *     IP: 89.160.20.113; DATE: 2026-11-23; COUNTRY: SE; REPO: fedora-41; ARCH: x86_64
 *
 * Parsed by label, not by token position, so a short or garbled line is reported as
 * malformed instead of aborting the run (MirrorManager2's parser indexed tokens blindly).
 */

export interface AccessLine {
  /** `YYYY-MM-DD` */
  date: string
  /** Upper-case country code, or `N/A` when the server could not place the client. */
  country: string
  repo: string
  arch: string
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const COUNTRY = /^(?:[A-Za-z]{2}|N\/A)$/
/** Repository and arch names as the server accepts them; anything else is garbage. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$/

function validDate(text: string): boolean {
  const match = DATE.exec(text)
  if (!match) return false
  const [, y, m, d] = match.map(Number) as [number, number, number, number]
  const date = new Date(Date.UTC(y, m - 1, d))
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d
}

/** The fields of a line, or undefined when it is not a well-formed access log line. */
export function parseAccessLine(line: string): AccessLine | undefined {
  const fields = new Map<string, string>()
  for (const part of line.split(';')) {
    const colon = part.indexOf(':')
    if (colon < 0) return undefined
    fields.set(part.slice(0, colon).trim(), part.slice(colon + 1).trim())
  }
  const date = fields.get('DATE')
  const country = fields.get('COUNTRY')
  const repo = fields.get('REPO')
  const arch = fields.get('ARCH')
  if (!fields.get('IP') || date === undefined || country === undefined || repo === undefined || arch === undefined) return undefined
  if (!validDate(date) || !COUNTRY.test(country) || !NAME.test(repo) || !NAME.test(arch)) return undefined
  return { date, country: country.toUpperCase(), repo, arch }
}
