import type { Sql } from '../db/sql.js'
import { ValidationError } from '../errors.js'
import { generatePassword, hashPassword } from './password.js'
import { getSite } from './sites.js'

/** The longest password we take (hashing is slow on purpose: no unbounded input). */
const MAX_PASSWORD_BYTES = 1024
/** The shortest password we store; report-mirror sends it on every check-in. */
export const MIN_PASSWORD_LENGTH = 8

/** Stores a site's password (hashed; the plain text is never written anywhere). */
export async function setSitePassword(sql: Sql, siteName: string, password: string): Promise<{ site: string }> {
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) {
    throw new ValidationError(`password: too long; at most ${MAX_PASSWORD_BYTES} bytes`, { field: 'password' })
  }
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new ValidationError(`password: too short; use at least ${MIN_PASSWORD_LENGTH} characters (or --generate)`, { field: 'password' })
  }
  const site = await getSite(sql, siteName)
  const hash = await hashPassword(password)
  await sql`update site set password_hash = ${hash} where id = ${site.id}`
  return { site: site.name }
}

export interface PasswordSource {
  password?: string
  passwordStdin?: boolean
  generate?: boolean
}

/** The new password from exactly one source: a flag value, stdin's first line, or a fresh random one. */
export async function chooseNewPassword(source: PasswordSource, readStdin: () => Promise<string>): Promise<{ password: string; generated: boolean }> {
  if (source.generate) return { password: generatePassword(), generated: true }
  if (source.passwordStdin) {
    const password = (await readStdin()).split(/\r?\n/)[0]
    if (!password) throw new ValidationError('password: nothing on standard input; pipe the password in, or use --generate', { field: 'password' })
    return { password, generated: false }
  }
  if (source.password !== undefined) return { password: source.password, generated: false }
  throw new ValidationError('password: give one of --password, --password-stdin or --generate', { field: 'password' })
}
