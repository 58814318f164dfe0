import { readFile } from 'node:fs/promises'
import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { parseBatchFile, runBatch, type BatchLineResult } from '../lib/cli/batch.js'
import { DatabaseCommand } from '../lib/cli/database-command.js'
import { readStdin } from '../lib/cli/read-stdin.js'

export default class Batch extends DatabaseCommand {
  static override summary = 'Run many admin commands from a file in one process and one transaction.'
  static override description = `FILE (or - for standard input) holds one admin command per line, written exactly as after "mirrormanager " on a shell line: words separated by blanks, '…' and "…" quoting, backslash escapes; blank lines and lines starting with # are skipped. Each line is parsed and checked by the same command as when typed.

All lines run in one database transaction: if any line fails, nothing is changed, and the error names the line number and the line, with that line's own error code and exit status. Only admin commands (site, host, product, category, repo, user, ... add, update, remove, list, show) can run in a batch; serve-*, crawl, umdl, demo, db and batch itself are refused before anything runs. Give --database-url, --data-dir and --config to batch, not on the lines; --password-stdin cannot be used on a line (use --generate, or run that command alone).`
  static override examples = [
    { description: 'Add many netblocks at once (a file of "host netblock add mirror.example.edu 192.0.2.0/24" lines)', command: '<%= config.bin %> <%= command.id %> netblocks.txt' },
    { description: 'Check a script without changing anything, with a result per line', command: '<%= config.bin %> <%= command.id %> changes.txt --dry-run --json' },
    { description: 'From standard input', command: 'printf \'site add "Example University"\\nhost add "Example University/mirror.example.edu" --country US\\n\' | <%= config.bin %> <%= command.id %> -' },
  ]
  static override args = { file: Args.string({ description: 'The file of command lines, or - for standard input.', required: true }) }
  static override flags = {
    'dry-run': Flags.boolean({ summary: 'Run and check every line, then roll everything back.' }),
  }

  async run(): Promise<{ dryRun: boolean; lines: BatchLineResult[] }> {
    const { args, flags } = await this.parse(Batch)
    const text = args.file === '-' ? await readStdin() : await readFile(args.file, 'utf8')
    const lines = parseBatchFile(text)
    const result = await runBatch(await this.db(), { config: this.config, lines, dryRun: flags['dry-run'], json: this.jsonEnabled() })
    const verb = result.dryRun ? 'checked (dry run, nothing changed)' : 'done in one transaction'
    this.logToStderr(`${result.lines.length} command${result.lines.length === 1 ? '' : 's'} ${verb}`)
    return result
  }
}
