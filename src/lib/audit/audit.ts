/**
 * The audit trail: who changed what on which site or host, when, before -> after. Written
 * in the same transaction as the change by the operations of the web pages and the admin
 * commands (src/lib/operations); read by `mirrormanager audit list` and the site and host
 * pages.
 */
import { toCamel, type Sql } from '../db/sql.js'
import { ValidationError } from '../errors.js'

export interface AuditEntry {
  actor: string
  action: string
  siteId?: number | null
  siteName?: string | null
  hostId?: number | null
  /** What was changed, for people: `site "x"`, `host "x/y"`, `netblock 192.0.2.0/24 of host "x/y"`. */
  target: string
  before?: unknown
  after?: unknown
}

export interface AuditRecord extends Required<AuditEntry> {
  id: number
  at: Date
}

/** Dates and other values as JSON would show them; undefined becomes null. */
function json(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value))
}

export async function recordAudit(sql: Sql, entry: AuditEntry): Promise<void> {
  await sql`insert into audit_log (actor, action, site_id, site_name, host_id, target, before, after)
    values (${entry.actor}, ${entry.action}, ${entry.siteId ?? null}, ${entry.siteName ?? null}, ${entry.hostId ?? null},
      ${entry.target}, ${sql.json(json(entry.before) as never)}, ${sql.json(json(entry.after) as never)})`
}

export interface AuditFilter {
  /** A site's name (also finds the entries of a removed site of that name). */
  site?: string
  siteId?: number
  hostId?: number
  since?: Date
  limit?: number
}

/** Parses --since: an ISO date or time, or a duration back from now ("90m", "24h", "7d"). */
export function parseSince(input: string, now = new Date()): Date {
  const text = input.trim()
  const ago = /^(\d+)\s*([mhd])$/.exec(text)
  if (ago) return new Date(now.getTime() - Number(ago[1]) * { m: 60e3, h: 3600e3, d: 86400e3 }[ago[2] as 'm' | 'h' | 'd'])
  const date = /^\d{4}-\d{2}-\d{2}/.test(text) ? new Date(text) : new Date(NaN)
  if (Number.isNaN(date.getTime())) throw new ValidationError(`since: "${input}" is neither a date (2026-12-01, 2026-12-01T10:00Z) nor a duration (90m, 24h, 7d)`, { field: 'since' })
  return date
}

export async function listAudit(sql: Sql, filter: AuditFilter = {}): Promise<AuditRecord[]> {
  // before/after come as JSON text: as json columns, postgres.js's camel transform rebuilds
  // every object key by key with a temporary object per key (the host page lists 50
  // entries of ~20 keys each); camelKeys does the same renaming in one plain loop
  const rows = await sql<(Omit<AuditRecord, 'before' | 'after'> & { beforeJson: string | null; afterJson: string | null })[]>`select id, at, actor, action,
      site_id, site_name, host_id, target, before::text as before_json, after::text as after_json from audit_log
    where ${filter.site === undefined ? sql`true` : sql`site_name = ${filter.site}`}
      and ${filter.siteId === undefined ? sql`true` : sql`site_id = ${filter.siteId}`}
      and ${filter.hostId === undefined ? sql`true` : sql`host_id = ${filter.hostId}`}
      and ${filter.since === undefined ? sql`true` : sql`at >= ${filter.since}`}
    order by at desc, id desc limit ${filter.limit ?? 1000}`
  return rows.map(({ beforeJson, afterJson, ...row }) => ({
    ...row,
    before: beforeJson === null ? null : camelKeys(JSON.parse(beforeJson)),
    after: afterJson === null ? null : camelKeys(JSON.parse(afterJson)),
  }))
}

/** Object keys in camelCase at every depth, renamed as the connection renames columns (db/sql.ts toCamel). */
function camelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelKeys)
  if (typeof value !== 'object' || value === null) return value
  const out: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) out[toCamel(key)] = camelKeys(inner)
  return out
}

/** before -> after in one line for people: only the keys that differ. */
export function describeChange(before: unknown, after: unknown): string {
  const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value))
  if (before && after && typeof before === 'object' && typeof after === 'object') {
    const b = before as Record<string, unknown>
    const a = after as Record<string, unknown>
    // most values are strings, numbers, booleans or null: compared as they are, no JSON
    const differs = (k: string) => b[k] !== a[k] && (typeof b[k] !== 'object' || typeof a[k] !== 'object' || JSON.stringify(b[k]) !== JSON.stringify(a[k]))
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter(differs)
    return keys.map((k) => `${k}: ${text(b[k])} → ${text(a[k])}`).join('; ') || 'no change'
  }
  if (after !== null && after !== undefined) return `→ ${text(after)}`
  if (before !== null && before !== undefined) return `${text(before)} →`
  return ''
}
