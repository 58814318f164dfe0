import { ConflictError, DatabaseUnavailableError, MirrorManagerError, ValidationError } from '../errors.js'

interface PostgresError extends Error {
  code?: string
  detail?: string
  constraint_name?: string
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', '57P01', '57P03', '3D000', '28P01', '28000'])

/**
 * Database errors that reach the command layer become catalogue errors: a unique
 * violation is a conflict the user can fix, a lost connection is "unavailable".
 * Anything else is returned unchanged (an internal error).
 */
export function translateDatabaseError(error: unknown): unknown {
  if (error instanceof MirrorManagerError || !(error instanceof Error)) return error
  const pg = error as PostgresError
  const detail = pg.detail ? ` (${pg.detail})` : ''
  switch (pg.code) {
    case '23505':
      return new ConflictError(`already exists${detail}`, { cause: error })
    case '23503':
      return new ConflictError(`still referenced or refers to something missing${detail}`, { cause: error })
    case '23514':
    case '23502':
    case '22001':
    case '22P02':
      return new ValidationError(`rejected by the database: ${pg.message}${detail}`, { cause: error })
  }
  if (pg.code && CONNECTION_CODES.has(pg.code)) {
    return new DatabaseUnavailableError(`database unavailable: ${pg.message}`, { cause: error })
  }
  return error
}
