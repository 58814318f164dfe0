/**
 * What people do with their own account: sign up, confirm the address, sign in, reset a
 * lost password. Answers never tell whether a username or an address exists: the caller
 * shows the same page either way, and the mail (if any) goes to the address's owner.
 */
import { atomically } from '../db/conflicts.js'
import type { Sql } from '../db/sql.js'
import { ValidationError } from '../errors.js'
import { hashPassword, verifyPassword } from '../sites/password.js'
import { consumeToken, issueToken, revokeToken } from './tokens.js'
import { findUser, findUserByEmail, requireEmail, requireNewPassword, requireUsername, type User } from './users.js'

export interface SignUp {
  username: string
  email: string
  password: string
  confirmPassword: string
  displayName?: string
}

/** What to mail after a sign-up: a confirmation link, or a note that the account exists. */
export type SignUpOutcome =
  | { kind: 'created'; user: User; token: string }
  | { kind: 'address-taken'; email: string; username: string }
  | { kind: 'username-taken'; email: string; username: string }

/**
 * Mails what an outcome calls for, after the outcome is stored. When it throws (the SMTP
 * server is down or refuses), the outcome is undone: the person can simply try again.
 */
export type Deliver<T> = (outcome: T) => Promise<void> | void

/**
 * Validates every field first (errors carry `field`), then creates an unconfirmed account
 * and has `deliver` mail the link; an account whose link was not sent is removed again.
 */
export async function signUp(sql: Sql, form: SignUp, options: { deliver?: Deliver<SignUpOutcome> } = {}): Promise<SignUpOutcome> {
  const outcome = await createAccount(sql, form)
  try {
    await options.deliver?.(outcome)
  } catch (error) {
    if (outcome.kind === 'created') await sql`delete from web_user where id = ${outcome.user.id} and not confirmed`
    throw error
  }
  return outcome
}

async function createAccount(sql: Sql, form: SignUp): Promise<SignUpOutcome> {
  const username = requireUsername(form.username)
  const email = requireEmail(form.email)
  requireNewPassword(form.password)
  if (form.password !== form.confirmPassword) throw new ValidationError('confirm password: the two passwords differ', { field: 'confirmPassword' })
  const hash = await hashPassword(form.password)
  return atomically(sql, async (tx) => {
    const owner = await findUserByEmail(tx, email)
    if (owner) return { kind: 'address-taken', email: owner.email, username: owner.username }
    if (await findUser(tx, username)) return { kind: 'username-taken', email, username }
    const displayName = form.displayName?.trim() || null
    const [{ id }] = await tx<{ id: number }[]>`insert into web_user (username, email, display_name, password_hash)
      values (${username}, ${email}, ${displayName}, ${hash}) returning id`
    const token = await issueToken(tx, id, 'confirm')
    return { kind: 'created', user: (await findUser(tx, username))!, token }
  })
}

/** Confirms the address of the account a confirmation token was mailed to. */
export async function confirmAccount(sql: Sql, token: string): Promise<User | undefined> {
  return atomically(sql, async (tx) => {
    const userId = await consumeToken(tx, token, 'confirm')
    if (userId === undefined) return undefined
    const [row] = await tx<{ username: string }[]>`update web_user set confirmed = true where id = ${userId} returning username`
    return findUser(tx, row.username)
  })
}

/**
 * The account for a username and password, or undefined — the same for an unknown user,
 * a wrong password, an unconfirmed address and an OIDC-only account, and in the same time
 * (verifyPassword spends a full scrypt on a missing hash).
 */
export async function authenticate(sql: Sql, username: string, password: string): Promise<User | undefined> {
  const [row] = await sql<{ passwordHash: string | null; confirmed: boolean }[]>`select password_hash, confirmed from web_user
    where username = ${username.trim()}`
  const ok = await verifyPassword(password.slice(0, 1024), row?.passwordHash)
  if (!ok || !row.confirmed) return undefined
  return findUser(sql, username.trim())
}

/**
 * A reset link for the account with this username or address, mailed through `deliver`
 * (a link that was not sent is withdrawn), or undefined when there is no such account
 * (the caller says "if an account exists, a link was mailed" either way).
 */
export async function requestPasswordReset(
  sql: Sql,
  usernameOrEmail: string,
  options: { deliver?: Deliver<PasswordReset> } = {},
): Promise<PasswordReset | undefined> {
  const text = usernameOrEmail.trim()
  if (!text) throw new ValidationError('username or email must not be empty', { field: 'account' })
  const user = text.includes('@') ? await findUserByEmail(sql, text) : await findUser(sql, text)
  if (!user) return undefined
  const reset = { user, token: await issueToken(sql, user.id, 'reset') }
  try {
    await options.deliver?.(reset)
  } catch (error) {
    await revokeToken(sql, reset.token)
    throw error
  }
  return reset
}

/** Withdraws a reset token whose mail could not be sent (it would expire within the hour anyway). */
export async function withdrawPasswordReset(sql: Sql, token: string): Promise<void> {
  await revokeToken(sql, token)
}

export interface PasswordReset {
  user: User
  token: string
}

/**
 * Sets a new password through a reset token (once). Reaching the mailbox proves the
 * address, so an unconfirmed account is confirmed too. Ends the account's sessions.
 */
export async function resetPassword(sql: Sql, token: string, password: string, confirmPassword: string): Promise<User | undefined> {
  requireNewPassword(password)
  if (password !== confirmPassword) throw new ValidationError('confirm password: the two passwords differ', { field: 'confirmPassword' })
  const hash = await hashPassword(password)
  return atomically(sql, async (tx) => {
    const userId = await consumeToken(tx, token, 'reset')
    if (userId === undefined) return undefined
    const [row] = await tx<{ username: string }[]>`update web_user set password_hash = ${hash}, confirmed = true
      where id = ${userId} returning username`
    await tx`delete from web_session where user_id = ${userId}`
    return findUser(tx, row.username)
  })
}

/** The account of someone the OIDC provider vouches for, created on first sign-in. */
export async function oidcAccount(sql: Sql, claims: { username: string; email?: string }): Promise<User> {
  const username = requireUsername(claims.username, 'OIDC username claim')
  const existing = await findUser(sql, username)
  if (existing) return existing
  const email = claims.email?.trim() || `${username}@oidc.invalid`
  await sql`insert into web_user (username, email, confirmed) values (${username}, ${email}, true)
    on conflict (username) do nothing`
  return (await findUser(sql, username))!
}
