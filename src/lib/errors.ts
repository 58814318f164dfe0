/**
 * The one error catalogue. Library code throws these; only the command base class
 * (src/lib/cli/base-command.ts) turns them into a message on stderr and an exit status.
 *
 * `code` is stable: scripts and tests match on it, never on the message text.
 * Exit statuses are documented in README.md and every man page.
 */

export const ExitStatus = {
  ok: 0,
  /** An unexpected failure: a bug, or something the catalogue does not know yet. */
  internal: 1,
  /** Bad command line: unknown flag, missing argument. */
  usage: 2,
  /** The configuration (file, environment, flags) is invalid. */
  config: 3,
  /** Input rejected by validation; nothing was changed. */
  invalidInput: 4,
  /** The named object does not exist. */
  notFound: 5,
  /** The object exists already, or the change conflicts with existing data. */
  conflict: 6,
  /** The database cannot be reached, or its data directory is locked by another process. */
  databaseUnavailable: 7,
  /** The run finished, but some of its parts failed (hosts, repositories, categories). */
  partialFailure: 8,
  /** A remote peer refused us: authentication failure, protocol error. */
  remoteRefused: 9,
  /** A network peer could not be reached. */
  network: 10,
  /** Another run holds the lock for this job (umdl, crawl). */
  busy: 11,
  /** A server's TCP port is taken by another process. */
  portInUse: 12,
  /** The acting user may not do this (serve-web permissions). */
  forbidden: 13,
} as const

export type ExitStatusName = keyof typeof ExitStatus

export interface MirrorManagerErrorOptions {
  cause?: unknown
  /** Extra structured data for `--json` output. */
  details?: Record<string, unknown>
}

export class MirrorManagerError extends Error {
  /** Stable machine-readable code, e.g. `MM_CONFIG_INVALID`. */
  readonly code: string
  readonly exitStatus: number
  readonly details?: Record<string, unknown>

  constructor(code: string, exitStatus: number, message: string, options: MirrorManagerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = code
    this.exitStatus = exitStatus
    this.details = options.details
  }
}

export class UsageError extends MirrorManagerError {
  constructor(message: string, options?: MirrorManagerErrorOptions) {
    super('MM_USAGE', ExitStatus.usage, message, options)
  }
}

/** A configuration value is missing or wrong; the message names the key. */
export class ConfigError extends MirrorManagerError {
  readonly key?: string
  constructor(message: string, options: MirrorManagerErrorOptions & { key?: string } = {}) {
    super('MM_CONFIG_INVALID', ExitStatus.config, message, options)
    this.key = options.key
  }
}

/** Input that fails validation (a bad URL, netblock, country code, ...). */
export class ValidationError extends MirrorManagerError {
  readonly field?: string
  constructor(message: string, options: MirrorManagerErrorOptions & { field?: string } = {}) {
    super('MM_INVALID_INPUT', ExitStatus.invalidInput, message, options)
    this.field = options.field
  }
}

export class NotFoundError extends MirrorManagerError {
  constructor(message: string, options?: MirrorManagerErrorOptions) {
    super('MM_NOT_FOUND', ExitStatus.notFound, message, options)
  }
}

export class ConflictError extends MirrorManagerError {
  constructor(message: string, options?: MirrorManagerErrorOptions) {
    super('MM_CONFLICT', ExitStatus.conflict, message, options)
  }
}

export class DatabaseUnavailableError extends MirrorManagerError {
  constructor(message: string, options?: MirrorManagerErrorOptions) {
    super('MM_DATABASE_UNAVAILABLE', ExitStatus.databaseUnavailable, message, options)
  }
}

/** The embedded data directory is open in another process. */
export class DataDirLockedError extends MirrorManagerError {
  constructor(message: string, options?: MirrorManagerErrorOptions) {
    super('MM_DATA_DIR_LOCKED', ExitStatus.databaseUnavailable, message, options)
  }
}

/** The database schema is newer than this program, or a migration failed. */
export class MigrationError extends MirrorManagerError {
  constructor(message: string, options?: MirrorManagerErrorOptions) {
    super('MM_MIGRATION_FAILED', ExitStatus.databaseUnavailable, message, options)
  }
}

/** A server cannot listen: its port is taken by another process. */
export class PortInUseError extends MirrorManagerError {
  constructor(message: string, options?: MirrorManagerErrorOptions) {
    super('MM_PORT_IN_USE', ExitStatus.portInUse, message, options)
  }
}

/** Another run of the same job holds its lock (umdl, crawl, ...). */
export class BusyError extends MirrorManagerError {
  constructor(message: string, options?: MirrorManagerErrorOptions) {
    super('MM_BUSY', ExitStatus.busy, message, options)
  }
}

/** The acting user may not see or change this (another user's site, an admin-only field). */
export class ForbiddenError extends MirrorManagerError {
  constructor(message: string, options?: MirrorManagerErrorOptions) {
    super('MM_FORBIDDEN', ExitStatus.forbidden, message, options)
  }
}

/** The run completed but some parts failed; `details` says which. */
export class PartialFailureError extends MirrorManagerError {
  constructor(message: string, options?: MirrorManagerErrorOptions) {
    super('MM_PARTIAL_FAILURE', ExitStatus.partialFailure, message, options)
  }
}

export class RemoteRefusedError extends MirrorManagerError {
  constructor(message: string, options?: MirrorManagerErrorOptions) {
    super('MM_REMOTE_REFUSED', ExitStatus.remoteRefused, message, options)
  }
}

export class NetworkError extends MirrorManagerError {
  constructor(message: string, options?: MirrorManagerErrorOptions) {
    super('MM_NETWORK', ExitStatus.network, message, options)
  }
}

/**
 * A mail (sign-up confirmation, password reset) could not be handed to the SMTP server:
 * unreachable, or it refused (authentication, STARTTLS, recipient). The caller undid
 * what the mail was for.
 */
export class MailNotSentError extends MirrorManagerError {
  constructor(message: string, options?: MirrorManagerErrorOptions & { refused?: boolean }) {
    super('MM_MAIL_NOT_SENT', options?.refused ? ExitStatus.remoteRefused : ExitStatus.network, message, options)
  }
}

/** A snapshot file is unreadable, of another format version, or fails validation. */
export class SnapshotError extends MirrorManagerError {
  constructor(message: string, options?: MirrorManagerErrorOptions) {
    super('MM_SNAPSHOT_INVALID', ExitStatus.invalidInput, message, options)
  }
}

/** A BGP table dump (MRT) is malformed or truncated; `details.offset` is the record's byte offset. */
export class MrtFormatError extends MirrorManagerError {
  constructor(message: string, options?: MirrorManagerErrorOptions) {
    super('MM_MRT_INVALID', ExitStatus.invalidInput, message, options)
  }
}

/** A regenerated table (netblocks) is much smaller than the one it would replace; the old one is kept. */
export class TableShrinkError extends MirrorManagerError {
  constructor(message: string, options?: MirrorManagerErrorOptions) {
    super('MM_TABLE_SHRUNK', ExitStatus.conflict, message, options)
  }
}

export function isMirrorManagerError(error: unknown): error is MirrorManagerError {
  return error instanceof MirrorManagerError
}

/**
 * The system `rsync` failed: `exitCode` is rsync's own (5 = unknown module or refused
 * login, 10 = connection failed, 23/24 = partial listing, 30/35 = timeout), `stderr`
 * its last words. Refusals are remoteRefused, connection problems are network.
 */
export class RsyncError extends MirrorManagerError {
  readonly rsyncExitCode: number | null
  constructor(message: string, options: MirrorManagerErrorOptions & { rsyncExitCode?: number | null } = {}) {
    const code = options.rsyncExitCode ?? null
    const network = code === 10 || code === 30 || code === 35 || code === null
    super('MM_RSYNC_FAILED', network ? ExitStatus.network : ExitStatus.remoteRefused, message, options)
    this.rsyncExitCode = code
  }
}

/**
 * A umdl source cannot be read, or reads as empty (an unmounted NFS export, a missing
 * path, a failed rsync, a truncated fullfiletimelist): the category is left untouched.
 */
export class SourceUnavailableError extends MirrorManagerError {
  constructor(message: string, options?: MirrorManagerErrorOptions) {
    super('MM_SOURCE_UNAVAILABLE', ExitStatus.notFound, message, options)
  }
}

/** Why the check-in server refused a check-in; the HTTP layer picks its status from it. */
export type CheckinRefusalReason =
  | 'malformed'
  | 'pickle'
  | 'too-large'
  | 'auth'
  | 'unknown-host'
  | 'policy'
  | 'rate-limited'
  | 'busy'

/**
 * A check-in the server will not apply. The message is safe to send to the client: it
 * never says whether the site or the password was wrong, and never holds a stack trace.
 */
export class CheckinRefusedError extends MirrorManagerError {
  readonly reason: CheckinRefusalReason
  constructor(message: string, options: MirrorManagerErrorOptions & { reason?: CheckinRefusalReason } = {}) {
    super('MM_CHECKIN_REFUSED', ExitStatus.invalidInput, message, options)
    this.reason = options.reason ?? 'malformed'
  }
}

/** The feature needs a PostgreSQL server shared by several processes (`crawl --worker`); the embedded database is one process only. */
export class EmbeddedUnsupportedError extends MirrorManagerError {
  constructor(message: string, options?: MirrorManagerErrorOptions) {
    super('MM_NEEDS_SERVER_DATABASE', ExitStatus.config, message, options)
  }
}
