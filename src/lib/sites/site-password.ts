import { randomBytes } from 'node:crypto'
import type { Sql } from '../db/sql.js'
import { ValidationError } from '../errors.js'
import { hashPassword } from './password.js'
import { getSite } from './sites.js'

/** The shortest password we store; report-mirror sends it on every check-in. */
export const MIN_PASSWORD_LENGTH = 8

/** A new random password: 24 characters from a URL- and shell-safe alphabet. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url')
}

/** Stores a site's password (hashed; the plain text is never written anywhere). */
export async function setSitePassword(sql: Sql, siteName: string, password: string): Promise<{ site: string }> {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new ValidationError(`password: too short; use at least ${MIN_PASSWORD_LENGTH} characters (or --generate)`, { field: 'password' })
  }
  const site = await getSite(sql, siteName)
  const hash = await hashPassword(password)
  await sql`update site set password_hash = ${hash} where id = ${site.id}`
  return { site: site.name }
}
