import { CheckinRefusedError } from '../errors.js'
import type { Sql } from '../db/sql.js'
import { verifyPassword } from '../sites/password.js'
import type { CheckinIdentity } from './payload.js'

export interface AuthenticatedHost {
  readonly hostId: number
  readonly hostName: string
  /** The host, or its whole site, is private. */
  readonly isPrivate: boolean
}

/** One text for both, so a client cannot learn which site names exist. */
export const BAD_CREDENTIALS = 'Config file site name or password incorrect.'
export const UNKNOWN_HOST = 'Config file host name for site not found.'
export const NOT_PRIVATE = 'Only private mirrors are allowed to use report_mirror.'

/**
 * Checks the site password (scrypt, constant time; an unknown site spends the same time
 * as a known one) and finds the host among the site's hosts. Reads only.
 */
export async function authenticateHost(sql: Sql, payload: CheckinIdentity): Promise<AuthenticatedHost> {
  const [site] = await sql<{ id: number; passwordHash: string | null; private: boolean }[]>`
    select id, password_hash, private from site where name = ${payload.siteName}`
  const passwordOk = await verifyPassword(payload.sitePassword, site?.passwordHash)
  if (!site || !passwordOk) throw new CheckinRefusedError(BAD_CREDENTIALS, { reason: 'auth' })
  const [host] = await sql<{ id: number; name: string; private: boolean }[]>`
    select id, name, private from host where site_id = ${site.id} and name = ${payload.hostName}`
  if (!host) throw new CheckinRefusedError(UNKNOWN_HOST, { reason: 'unknown-host' })
  return { hostId: host.id, hostName: host.name, isPrivate: host.private || site.private }
}
