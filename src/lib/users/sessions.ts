/**
 * Signed-in browsers, in the database (so every worker and a restart see the same ones).
 * The cookie holds a random id; the table its SHA-256, the user, the CSRF token of the
 * session, and the groups the identity provider named. A session ends at its expiry,
 * at logout, or when its account is removed.
 */
import type { Sql } from '../db/sql.js'
import { randomToken, sha256 } from './tokens.js'
import type { User } from './users.js'

export interface Session {
  user: User
  csrfToken: string
  groups: string[]
  expiresAt: Date
}

export async function createSession(
  sql: Sql,
  userId: number,
  options: { lifetimeSeconds: number; address?: string; groups?: string[]; now?: Date },
): Promise<{ id: string; csrfToken: string; expiresAt: Date }> {
  const id = randomToken()
  const csrfToken = randomToken()
  const expiresAt = new Date((options.now ?? new Date()).getTime() + options.lifetimeSeconds * 1000)
  await sql`insert into web_session (id_hash, user_id, csrf_token, groups, address, expires_at)
    values (${sha256(id)}, ${userId}, ${csrfToken}, ${options.groups ?? []}, ${options.address ?? null}, ${expiresAt})`
  return { id, csrfToken, expiresAt }
}

/** The live session of a cookie value, or undefined (unknown, ended or expired). */
export async function findSession(sql: Sql, id: string, now = new Date()): Promise<Session | undefined> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(id)) return undefined
  const [row] = await sql<(Omit<User, 'hasPassword'> & { hasPassword: boolean; csrfToken: string; groups: string[]; expiresAt: Date })[]>`
    select u.id, u.username, u.email, u.display_name, u.admin, u.confirmed, u.password_hash is not null as has_password,
      u.created_at, s.csrf_token, s.groups, s.expires_at
    from web_session s join web_user u on u.id = s.user_id
    where s.id_hash = ${sha256(id)} and s.expires_at > ${now}`
  if (!row) return undefined
  const { csrfToken, groups, expiresAt, ...user } = row
  return { user, csrfToken, groups: [...groups], expiresAt }
}

export async function endSession(sql: Sql, id: string): Promise<void> {
  await sql`delete from web_session where id_hash = ${sha256(id)}`
}

/** Drops expired sessions and tokens (called now and then by the server). */
export async function purgeExpired(sql: Sql, now = new Date()): Promise<void> {
  await sql`delete from web_session where expires_at <= ${now}`
  await sql`delete from web_token where expires_at <= ${now}`
}
