/**
 * Web accounts: a username, an email address, a scrypt password hash (the same hashing
 * as site passwords), an admin flag, and whether the address has been confirmed.
 */
import { uniquely } from '../db/conflicts.js'
import type { Sql } from '../db/sql.js'
import { NotFoundError, ValidationError } from '../errors.js'
import { hashPassword } from '../sites/password.js'
import { MIN_PASSWORD_LENGTH } from '../sites/site-password.js'
import { requireName } from '../validate/name.js'

export interface User {
  id: number
  username: string
  email: string
  displayName: string | null
  admin: boolean
  confirmed: boolean
  hasPassword: boolean
  createdAt: Date
}

export interface UserFields {
  email?: string
  displayName?: string
  password?: string
  admin?: boolean
  confirmed?: boolean
}

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
const MAX_PASSWORD_LENGTH = 1024

export function requireUsername(input: string, field = 'username'): string {
  const name = requireName(input, field)
  if (!USERNAME.test(name)) {
    throw new ValidationError(`${field}: "${input}" may hold only letters, digits, ".", "_" and "-" (at most 64, starting with a letter or digit)`, { field })
  }
  return name
}

export function requireEmail(input: string, field = 'email'): string {
  const email = requireName(input, field)
  if (email.length > 254 || !/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>".]+$/.test(email)) {
    throw new ValidationError(`${field}: "${input}" is not an email address like alice@example.org`, { field })
  }
  return email
}

export function requireNewPassword(input: string, field = 'password'): string {
  if (input.length < MIN_PASSWORD_LENGTH) throw new ValidationError(`${field}: too short; use at least ${MIN_PASSWORD_LENGTH} characters`, { field })
  if (input.length > MAX_PASSWORD_LENGTH) throw new ValidationError(`${field}: longer than ${MAX_PASSWORD_LENGTH} characters`, { field })
  return input
}

function selectUsers(sql: Sql) {
  return sql`select id, username, email, display_name, admin, confirmed, password_hash is not null as has_password, created_at from web_user`
}

async function userColumns(fields: UserFields): Promise<Record<string, unknown>> {
  const columns: Record<string, unknown> = {}
  if (fields.email !== undefined) columns.email = requireEmail(fields.email)
  if (fields.displayName !== undefined) columns.displayName = fields.displayName.trim() ? requireName(fields.displayName, 'display name') : null
  if (fields.password !== undefined) columns.passwordHash = await hashPassword(requireNewPassword(fields.password))
  if (fields.admin !== undefined) columns.admin = fields.admin
  if (fields.confirmed !== undefined) columns.confirmed = fields.confirmed
  return columns
}

const duplicate = (username: string) => `an account "${username}" or one with that email address already exists`

export async function addUser(sql: Sql, username: string, fields: UserFields & { email: string }): Promise<User> {
  const name = requireUsername(username)
  const columns = await userColumns(fields)
  await uniquely(sql`insert into web_user ${sql({ username: name, ...columns })}`, duplicate(name))
  return getUser(sql, name)
}

export async function findUser(sql: Sql, username: string): Promise<User | undefined> {
  const [user] = await sql<User[]>`${selectUsers(sql)} where username = ${username}`
  return user
}

export async function findUserByEmail(sql: Sql, email: string): Promise<User | undefined> {
  const [user] = await sql<User[]>`${selectUsers(sql)} where lower(email) = lower(${email.trim()})`
  return user
}

export async function getUser(sql: Sql, username: string): Promise<User> {
  const user = await findUser(sql, username)
  if (!user) throw new NotFoundError(`no account "${username}" (see \`mirrormanager user list\`)`)
  return user
}

export async function listUsers(sql: Sql): Promise<User[]> {
  return sql<User[]>`${selectUsers(sql)} order by username`
}

export async function updateUser(sql: Sql, username: string, changes: UserFields): Promise<User> {
  const user = await getUser(sql, username)
  const columns = await userColumns(changes)
  if (Object.keys(columns).length > 0) await uniquely(sql`update web_user set ${sql(columns)} where id = ${user.id}`, duplicate(username))
  return getUser(sql, username)
}

/** Removes an account with its sessions and tokens; the sites it administers keep their other admins. */
export async function removeUser(sql: Sql, username: string): Promise<User> {
  const user = await getUser(sql, username)
  await sql`delete from web_user where id = ${user.id}`
  return user
}

/** The stored hash of an account, for sign-in only. */
export async function passwordHashOf(sql: Sql, username: string): Promise<{ user: User; hash: string | null } | undefined> {
  const [row] = await sql<{ passwordHash: string | null }[]>`select password_hash from web_user where username = ${username}`
  if (!row) return undefined
  return { user: (await findUser(sql, username))!, hash: row.passwordHash }
}
