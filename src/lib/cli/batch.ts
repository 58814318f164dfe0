import type { Command } from '@oclif/core/command'
import type { Config } from '@oclif/core/config'
import { translateDatabaseError } from '../db/errors.js'
import type { Database } from '../db/connect.js'
import { inTransaction, type Sql } from '../db/sql.js'
import { ExitStatus, isMirrorManagerError, MirrorManagerError, UsageError } from '../errors.js'
import { AdminCommand } from './admin-command.js'

/** One command line of a batch file. */
export interface BatchLine {
  /** 1-based line number in the file */
  number: number
  text: string
  words: string[]
}

export interface BatchLineResult {
  line: number
  command: string
  result: unknown
}

function lineError(line: BatchLine, message: string): UsageError {
  return new UsageError(`line ${line.number}: ${line.text}: ${message}`, { details: { line: line.number, text: line.text } })
}

/**
 * Splits one line into words as a POSIX shell does for a simple command: blanks separate
 * words, '…' is literal, "…" is literal except for \" \\ \$ \` , a backslash outside
 * quotes keeps the next character, and a word starting with # starts a comment. No
 * variables, globs or substitutions: a `$` or `*` is an ordinary character.
 */
export function splitShellWords(text: string): string[] {
  const words: string[] = []
  let word: string | undefined
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === ' ' || c === '\t' || c === '\r') {
      if (word !== undefined) words.push(word)
      word = undefined
    } else if (c === '#' && word === undefined) {
      break
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new Error('a backslash at the end of the line')
      word = (word ?? '') + text[++i]
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1)
      if (end < 0) throw new Error('a single quote that is not closed')
      word = (word ?? '') + text.slice(i + 1, end)
      i = end
    } else if (c === '"') {
      word ??= ''
      for (i++; ; i++) {
        if (i >= text.length) throw new Error('a double quote that is not closed')
        const d = text[i]!
        if (d === '"') break
        if (d === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) word += text[++i]
        else word += d
      }
    } else {
      word = (word ?? '') + c
    }
  }
  if (word !== undefined) words.push(word)
  return words
}

/** The command lines of a batch file; blank lines and comments are skipped. */
export function parseBatchFile(text: string): BatchLine[] {
  const lines: BatchLine[] = []
  text.split('\n').forEach((raw, index) => {
    const line = { number: index + 1, text: raw.trim(), words: [] as string[] }
    try {
      line.words = splitShellWords(raw)
    } catch (error) {
      throw lineError(line, (error as Error).message)
    }
    if (line.words.length > 0) lines.push(line)
  })
  return lines
}

/**
 * Flags that would point one line at another database or config than the batch's, and
 * --password-stdin (standard input is the batch file's, or would wait for a terminal).
 */
const REFUSED_FLAGS = ['--database-url', '--data-dir', '--config', '--wait', '--password-stdin']

class DryRunRollback extends Error {}

/**
 * Runs the lines in one transaction on `db`: each line through the same oclif command
 * class (flag parsing, validation, library call) as when typed. The first failing line
 * rolls everything back; its error keeps its code and exit status and names the line.
 * Only admin commands (AdminCommand: the data-changing and listing commands) may appear.
 */
export async function runBatch(
  db: Database,
  options: { config: Config; lines: BatchLine[]; dryRun?: boolean; json?: boolean },
): Promise<{ lines: BatchLineResult[]; dryRun: boolean }> {
  // Resolve and check every line before the first change.
  const planned: { line: BatchLine; id: string; CommandClass: Command.Class; argv: string[] }[] = []
  for (const line of options.lines) {
    let k = line.words.findIndex((word) => word.startsWith('-'))
    if (k < 0) k = line.words.length
    let found
    for (; k > 0 && !found; k--) found = options.config.findCommand(line.words.slice(0, k).join(':'))
    if (!found) throw lineError(line, `"${line.words.join(' ')}" is not a mirrormanager command`)
    const CommandClass = await found.load()
    if (!(CommandClass.prototype instanceof AdminCommand)) {
      throw lineError(line, `"${found.id.replaceAll(':', ' ')}" cannot run in a batch: only admin commands (site, host, product, category, repo, user, ... add/update/remove/list/show) can`)
    }
    const argv = line.words.slice(k + 1)
    const refused = argv.find((word) => REFUSED_FLAGS.some((flag) => word === flag || word.startsWith(`${flag}=`)))
    if (refused) throw lineError(line, `${refused.split('=')[0]} cannot be given on a batch line: give it to mirrormanager batch`)
    if (options.json && !argv.includes('--json')) argv.push('--json')
    planned.push({ line, id: found.id, CommandClass, argv })
  }
  const results: BatchLineResult[] = []
  try {
    await inTransaction(db.sql, async (tx: Sql) => {
      const database: Database = { ...db, sql: tx, close: async () => {} }
      // Every line's flags and arguments are parsed before the first line runs.
      const ready = []
      for (const { line, id, CommandClass, argv } of planned) {
        const command = new (CommandClass as unknown as new (argv: string[], config: Config) => AdminCommand)(argv, options.config)
        try {
          ready.push({ line, id, run: await command.prepareInBatch(database) })
        } catch (error) {
          throw asLineError(line, error)
        }
      }
      for (const { line, id, run } of ready) {
        try {
          results.push({ line: line.number, command: id.replaceAll(':', ' '), result: await run() })
        } catch (error) {
          throw asLineError(line, error)
        }
      }
      if (options.dryRun) throw new DryRunRollback()
    })
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error
  }
  return { lines: results, dryRun: options.dryRun ?? false }
}

/**
 * A line's error with its own code and exit status, its message prefixed with the line
 * (details: line, text, rolledBack — the whole batch was rolled back).
 */
function asLineError(line: BatchLine, error: unknown): MirrorManagerError {
  const translated = translateDatabaseError(error)
  const prefix = `line ${line.number}: ${line.text}: `
  const details = { line: line.number, text: line.text, rolledBack: true }
  if (isMirrorManagerError(translated)) {
    return new MirrorManagerError(translated.code, translated.exitStatus, prefix + translated.message, {
      cause: error,
      details: { ...translated.details, ...details },
    })
  }
  // oclif's own parse errors (unknown flag, missing argument): usage errors, as when typed.
  if ((error as { oclif?: { exit?: number } }).oclif?.exit !== undefined) {
    const message = (error as Error).message.split('\n').filter((text) => !/^\s*See more help with/.test(text)).join('\n').trim()
    return new UsageError(prefix + message, { cause: error, details })
  }
  return new MirrorManagerError('MM_INTERNAL', ExitStatus.internal, prefix + `internal error: ${(error as Error).message}`, { cause: error, details })
}
