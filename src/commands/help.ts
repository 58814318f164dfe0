import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { loadHelpClass } from '@oclif/core/help'
import { BaseCommand } from '../lib/cli/base-command.js'
import { UsageError } from '../lib/errors.js'

/**
 * `mirrormanager help [COMMAND...]`: what @oclif/plugin-help's command did, as one of ours.
 * Loading that plugin cost every command ~12 ms of start-up (oclif matches the configured
 * plugin names against package.json's dependencies with minimatch, then reads the
 * plugin's package.json and manifest), for this one command.
 */
export default class Help extends BaseCommand {
  static override summary = 'Show the help of mirrormanager, of a topic or of a command.'
  static override description = 'The same text as --help after a command or topic. With no argument: the topics and the top-level commands; --nested-commands lists every command.'
  static override examples = [
    { description: 'Every command, grouped by topic', command: '<%= config.bin %> <%= command.id %> --nested-commands' },
    { description: 'One command', command: '<%= config.bin %> <%= command.id %> host netblock add' },
  ]
  static override args = { command: Args.string({ description: 'The topic or command, in words (host netblock add).', required: false }) }
  static override strict = false
  static override flags = {
    'nested-commands': Flags.boolean({ char: 'n', summary: 'List every command, not only the top-level ones.' }),
  }

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Help)
    const words = argv as string[]
    const flag = words.find((word) => word.startsWith('-'))
    if (flag !== undefined) throw new UsageError(`Nonexistent flag: ${flag}`)
    if (this.jsonEnabled()) throw new UsageError('help has no --json form: it prints text')
    const HelpClass = await loadHelpClass(this.config)
    await new HelpClass(this.config, { all: flags['nested-commands'] }).showHelp(words)
  }
}
