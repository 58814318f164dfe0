/**
 * One-time tokens mailed to people: sign-up confirmation and password reset. The link
 * holds 32 random bytes; the table holds only their SHA-256, so a database dump grants
 * nothing. A token serves its own purpose once, until it expires (MirrorManager2's never
 * expired and served both purposes).
 */
import { createHash, randomBytes } from 'node:crypto'
import type { Sql } from '../db/sql.js'

export type TokenPurpose = 'confirm' | 'reset'

export const TOKEN_LIFETIME_SECONDS: Record<TokenPurpose, number> = { confirm: 48 * 3600, reset: 3600 }

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

export function randomToken(): string {
  return randomBytes(32).toString('base64url')
}

export async function issueToken(sql: Sql, userId: number, purpose: TokenPurpose, now = new Date()): Promise<string> {
  const token = randomToken()
  const expires = new Date(now.getTime() + TOKEN_LIFETIME_SECONDS[purpose] * 1000)
  await sql`insert into web_token (token_hash, user_id, purpose, expires_at) values (${sha256(token)}, ${userId}, ${purpose}, ${expires})`
  return token
}

/** The user id a token was issued to, consuming it; undefined when unknown, used, expired or of another purpose. */
export async function consumeToken(sql: Sql, token: string, purpose: TokenPurpose, now = new Date()): Promise<number | undefined> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined
  const [row] = await sql<{ userId: number; expiresAt: Date }[]>`delete from web_token
    where token_hash = ${sha256(token)} and purpose = ${purpose} returning user_id, expires_at`
  if (!row || row.expiresAt.getTime() <= now.getTime()) return undefined
  return row.userId
}

/** Withdraws a token that was never delivered. */
export async function revokeToken(sql: Sql, token: string): Promise<void> {
  await sql`delete from web_token where token_hash = ${sha256(token)}`
}

/** Whether a token is valid now, without consuming it (the reset form is shown first). */
export async function tokenIsValid(sql: Sql, token: string, purpose: TokenPurpose, now = new Date()): Promise<boolean> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return false
  const [row] = await sql<{ n: number }[]>`select 1 as n from web_token
    where token_hash = ${sha256(token)} and purpose = ${purpose} and expires_at > ${now}`
  return row !== undefined
}
