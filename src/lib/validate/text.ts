/**
 * Limits on every name, URL and text field an admin (CLI or web form) can set, checked
 * before the database is touched: an over-long value is a clear "invalid input" (exit 4),
 * never a btree row-size error from PostgreSQL. Lengths are UTF-8 bytes (what the
 * database's index limit counts), so a non-ASCII name has fewer characters.
 *
 * Bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069)
 * are refused everywhere: they make a name display as another ("Trojan Source"), and no
 * name needs them (right-to-left scripts display correctly without).
 */
import { ValidationError } from '../errors.js'

export const LIMITS = {
  /** site, product, arch, version, category, repository, user names */
  name: 255,
  /** a DNS name: 253 octets, labels of at most 63 */
  dnsName: 253,
  dnsLabel: 63,
  /** mirror URLs, web URLs */
  url: 1024,
  /** paths in the master tree (a category's top directory) */
  path: 1024,
  /** short free text: display names, code names, "created by", e-mail addresses */
  shortText: 255,
  /** long free text: comments */
  longText: 4096,
} as const

const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/

/** `value` unchanged when it is at most `max` UTF-8 bytes and has no bidi control; else a ValidationError naming `field`. */
export function limitText(value: string, field: string, max: number): string {
  const bytes = Buffer.byteLength(value)
  if (bytes > max) throw new ValidationError(`${field} is too long: ${bytes} bytes (UTF-8), at most ${max} allowed`, { field })
  const bidi = BIDI_CONTROL.exec(value)
  if (bidi) {
    const code = bidi[0].codePointAt(0)!.toString(16).toUpperCase()
    throw new ValidationError(`${field} contains a bidirectional control character (U+${code}), which can make it display as something else`, { field })
  }
  return value
}

/** Optional free text: undefined stays undefined. */
export function optionalText(value: string | undefined, field: string, max: number = LIMITS.shortText): string | undefined {
  return value === undefined ? undefined : limitText(value, field, max)
}

/** A DNS name: at most 253 bytes, every dot-separated label 1–63 bytes (a final dot allowed). */
export function limitDnsName(value: string, field: string): string {
  limitText(value, field, LIMITS.dnsName)
  const labels = value.replace(/\.$/, '').split('.')
  const long = labels.find((label) => Buffer.byteLength(label) > LIMITS.dnsLabel)
  if (long !== undefined) {
    throw new ValidationError(`${field}: a DNS label may be at most ${LIMITS.dnsLabel} bytes; "${long.slice(0, 20)}…" has ${Buffer.byteLength(long)}`, { field })
  }
  if (labels.some((label) => label === '')) throw new ValidationError(`${field}: "${value}" has an empty label (two dots in a row, or a leading dot)`, { field })
  return value
}
