/**
 * generate-snapshot: database -> validated snapshot file, installed atomically with the
 * previous one kept as `<file>.old`.
 */
import { lookup } from 'node:dns/promises'
import { rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { SnapshotError } from '../errors.js'
import type { Database } from '../db/connect.js'
import type { Sql } from '../db/sql.js'
import { silentLogger, type Logger } from '../log.js'
import { collectSnapshot } from './collect.js'
import { installSnapshot, readSnapshotStats, writeSnapshotEntries, type SnapshotStats } from './write.js'

export interface GenerateOptions {
  output: string
  /** install even when the new snapshot is much smaller than the previous one */
  force?: boolean
  /** Warnings (a DNS-name netblock that did not resolve); default: silent */
  logger?: Logger
  /** DNS-name netblocks; default: the system resolver, 5 s per name */
  resolveName?: (name: string) => Promise<string[]>
  batchSize?: number
}

export interface GenerateSummary extends SnapshotStats {
  file: string
  bytes: number
  durationMs: number
  /** epoch seconds recorded as the database creation time */
  createdAt: number
  /** where the previous snapshot was kept, if there was one */
  previous?: string
}

/** Below this fraction of the previous snapshot's count, a new snapshot is refused without --force. */
export const SHRINK_LIMIT = 0.5

/** Why `next` should not replace `previous`; empty when it may. */
export function validateAgainstPrevious(next: SnapshotStats, previous: SnapshotStats | undefined): string[] {
  if (!previous) return []
  const problems: string[] = []
  for (const key of ['hosts', 'directories', 'repositories'] as const) {
    const before = previous[key]
    const after = next[key]
    if (before > 0 && after === 0) problems.push(`${key} dropped from ${before} to 0`)
    else if (before >= 10 && after < before * SHRINK_LIMIT) problems.push(`${key} dropped from ${before} to ${after}`)
  }
  return problems
}

async function systemResolve(name: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out after 5 s')), 5000)
  })
  try {
    const addresses = await Promise.race([lookup(name, { all: true }), timeout])
    return addresses.map((address) => address.address)
  } finally {
    clearTimeout(timer)
  }
}

export async function generateSnapshot(database: Pick<Database, 'sql'>, options: GenerateOptions): Promise<GenerateSummary> {
  const { sql } = database
  const started = performance.now()
  const temporary = join(dirname(options.output), `.${basename(options.output)}.tmp-${process.pid}`)
  const logger = options.logger ?? silentLogger
  const warn = (message: string) => logger.warn(message)
  let written: { bytes: number; stats: SnapshotStats; createdAt: number }
  try {
    // one read-only repeatable-read transaction: every query sees the same data
    written = await sql.begin('isolation level repeatable read read only', async (tx) => {
      const collected = await collectSnapshot(tx as unknown as Sql, {
        resolveName: options.resolveName ?? systemResolve,
        warn,
        batchSize: options.batchSize,
      })
      const bytes = await writeSnapshotEntries(temporary, collected.entries, collected.stats)
      return { bytes, stats: collected.stats, createdAt: collected.createdAt }
    })
    const problems = validateAgainstPrevious(written.stats, readSnapshotStats(options.output))
    if (problems.length > 0 && !options.force) {
      throw new SnapshotError(
        `the new snapshot was not installed: ${problems.join(', ')} compared with ${options.output}; ` +
          'check the database, or use --force to install it anyway',
        { details: { problems, ...written.stats } },
      )
    }
    const previous = await installSnapshot(temporary, options.output)
    return {
      file: options.output,
      ...written.stats,
      bytes: written.bytes,
      durationMs: Math.round(performance.now() - started),
      createdAt: written.createdAt,
      ...(previous ? { previous } : {}),
    }
  } finally {
    await rm(temporary, { force: true })
  }
}
