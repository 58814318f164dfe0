/**
 * Parser of `rsync --list-only -r --no-motd --no-human-readable` output, one line at a
 * time (the caller streams; a listing of a whole mirror is millions of lines).
 *
 * A line is: permissions, size, date, time, path — e.g.
 *
 *     drwxr-xr-x        4096 2026/11/23 13:00:20 a dir
 *     -rw-r--r-- 12345678901 2026/11/23 13:00:20 big.iso
 *     lrwxrwxrwx          26 2026/11/23 13:00:20 link -> a dir/file.txt
 *
 * Sizes come with thousands separators (`12,345,678,901`) on some rsync versions and
 * locales even with --no-human-readable: both forms are accepted. Times are the
 * client's local time; run rsync with TZ=UTC (run-rsync.ts does) and they are UTC.
 * Non-printable bytes in names are escaped by rsync as `\#ooo` (octal) and decoded here.
 * Devices, fifos and sockets are not content: they are skipped (null).
 */

export type ListingEntryType = 'd' | 'f' | 'l'

export interface ListingEntry {
  type: ListingEntryType
  /** Bytes (for a symlink: the length of its target). */
  size: number
  /** Modification time, epoch seconds. */
  mtime: number
  /** Path relative to the listed directory; the listed directory itself is ".". */
  path: string
  /** Symlink target, when rsync printed one (with -l / -a). */
  target?: string
  /** The nine permission characters, e.g. `rwxr-xr-x`. */
  permissions: string
}

// perms, size (digits with optional , or . separators), yyyy/mm/dd, hh:mm:ss, path
const LINE = /^([-dlcbps])([-rwxsStTl]{9})[.+@]*\s+([\d,.]+)\s+(\d{4})\/(\d\d)\/(\d\d)\s+(\d\d):(\d\d):(\d\d)\s(.+)$/

const TYPES: Record<string, ListingEntryType | undefined> = { '-': 'f', d: 'd', l: 'l' }

/** rsync escapes bytes it will not print as `\#ooo`; decode them back to UTF-8. */
export function decodeRsyncName(name: string): string {
  if (!name.includes('\\#')) return name
  const bytes: number[] = []
  const raw = Buffer.from(name, 'utf8')
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0x5c && raw[i + 1] === 0x23 && /^[0-7]{3}$/.test(raw.toString('latin1', i + 2, i + 5))) {
      bytes.push(parseInt(raw.toString('latin1', i + 2, i + 5), 8))
      i += 4
    } else {
      bytes.push(raw[i])
    }
  }
  return Buffer.from(bytes).toString('utf8')
}

/** Parses one listing line; null for blank lines, headers, special files and noise. */
export function parseListingLine(line: string): ListingEntry | null {
  const match = LINE.exec(line.endsWith('\r') ? line.slice(0, -1) : line)
  if (!match) return null
  const type = TYPES[match[1]]
  if (!type) return null
  const size = Number(match[3].replace(/[,.]/g, ''))
  if (!Number.isSafeInteger(size)) return null
  const [year, month, day, hour, minute, second] = match.slice(4, 10).map(Number)
  const mtime = Date.UTC(year, month - 1, day, hour, minute, second) / 1000
  let name = match[10]
  let target: string | undefined
  if (type === 'l') {
    const arrow = name.indexOf(' -> ')
    if (arrow >= 0) {
      target = decodeRsyncName(name.slice(arrow + 4))
      name = name.slice(0, arrow)
    }
  }
  const entry: ListingEntry = { type, size, mtime, path: decodeRsyncName(name), permissions: match[2] }
  if (target !== undefined) entry.target = target
  return entry
}
