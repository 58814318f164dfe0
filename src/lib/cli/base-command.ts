import { Command } from '@oclif/core/command'
import * as Errors from '@oclif/core/errors'
import * as Flags from '@oclif/core/flags'
import type * as Interfaces from '@oclif/core/interfaces'
import { resolveConfig, type ResolvedConfig } from '../config/resolve.js'
import type { ConfigKey } from '../config/keys.js'
import { translateDatabaseError } from '../db/errors.js'
import { ExitStatus, isMirrorManagerError } from '../errors.js'
import { createLogger, type Logger, type LogLevel } from '../log.js'

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>

/**
 * Every mirrormanager command: config resolution, logging to stderr, --json, and the
 * one place where errors become a message and an exit status.
 */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    config: Flags.string({
      summary: 'Config file (TOML). Default: $MM_CONFIG, else /etc/mirrormanager/mirrormanager.toml if present.',
      helpGroup: 'GLOBAL',
    }),
    'log-level': Flags.string({
      summary: 'How much to log to stderr.',
      options: ['error', 'warn', 'info', 'debug'],
      helpGroup: 'GLOBAL',
    }),
  }

  protected mmConfig!: ResolvedConfig
  protected log_!: Logger

  /** Flag values that map onto config keys; subclasses add theirs. */
  protected configFlags(flags: Record<string, unknown>): Partial<Record<ConfigKey, unknown>> {
    return { 'log.level': flags['log-level'] }
  }

  /** The TOML config file named on the command line (a command whose -c means another file overrides this). */
  protected configFileFlag(flags: Record<string, unknown>): string | undefined {
    return flags.config as string | undefined
  }

  public override async init(): Promise<void> {
    await super.init()
    const { flags } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (this.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      args: this.ctor.args,
      strict: this.ctor.strict,
    })
    this.mmConfig = resolveConfig({ flags: this.configFlags(flags), configFile: this.configFileFlag(flags) })
    const level = this.mmConfig.get('log.level') as LogLevel
    // --json runs are for scripts: only warnings and errors reach stderr.
    this.log_ = createLogger(this.jsonEnabled() && level === 'info' ? 'warn' : level)
  }

  /** The logger for library calls (stderr). */
  protected get logger(): Logger {
    return this.log_ ?? createLogger('info')
  }

  protected override async catch(error: Interfaces.CommandError): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw error
    const oclifExit = (error as { oclif?: { exit?: number } }).oclif?.exit
    if (oclifExit !== undefined && !isMirrorManagerError(error)) return this.catchUsageError(error)
    const translated = translateDatabaseError(error)
    const known = isMirrorManagerError(translated)
    if (!known && process.env.MM_DEBUG) this.logToStderr((error as Error).stack ?? String(error))
    const code = known ? translated.code : 'MM_INTERNAL'
    const message = known
      ? translated.message
      : `internal error: ${(error as Error).message} (set MM_DEBUG=1 for a stack trace)`
    const exitStatus = known ? translated.exitStatus : ExitStatus.internal
    if (this.jsonEnabled()) {
      this.logJson({ error: { code, message, exitStatus, ...(known && translated.details ? { details: translated.details } : {}) } })
    }
    // The message on one plain line, never wrapped (protocol-like texts such as
    // "Error: Version 41 not found for product Fedora" stay exact); the stable code below it.
    this.logToStderr(`Error: ${message}\nCode: ${code}`)
    return this.exit(exitStatus)
  }

  /**
   * oclif's own parse errors (unknown flag, missing argument, bad option value). Without
   * --json they keep oclif's rendering (with its "See more help" line) and exit 2; with
   * --json they are the documented error object — oclif's default would serialise the
   * whole error, parser input and configuration included (issue 22: 738 KB on stdout).
   */
  private async catchUsageError(error: Interfaces.CommandError): Promise<unknown> {
    if (!this.jsonEnabled()) {
      ;(error as unknown as { oclif: { exit: number } }).oclif.exit = ExitStatus.usage
      return super.catch(error)
    }
    const message = (error as Error).message.split('\n').filter((line) => !/^\s*See more help with/.test(line)).join('\n').trim()
    this.logJson({ error: { code: 'MM_USAGE', message, exitStatus: ExitStatus.usage } })
    this.logToStderr(`Error: ${message}\nCode: MM_USAGE`)
    return this.exit(ExitStatus.usage)
  }
}
