import * as Flags from '@oclif/core/flags'
import { DatabaseCommand } from '../lib/cli/database-command.js'
import { moveDevelToRelease } from '../lib/lifecycle/move-devel-to-release.js'
import { formatMove, type RepositoryMoveResult } from '../lib/lifecycle/repository-move.js'

export default class MoveDevelToRelease extends DatabaseCommand {
  static override summary = 'Repoint a release\'s repositories from development/<version> to releases/<version>.'
  static override description = `Run about a week after a release, once enough mirrors carry the releases/<version> tree. Every repository of the category whose directory lies under <topdir>/development/<version>/ is repointed to the same path under <topdir>/releases/<version>/, when that directory exists in the master tree (run umdl first) and has no repository yet. Prints one line per move, "old => new"; repositories left alone are reported on stderr.

All changes are made in one transaction. --dry-run prints the same lines and changes nothing. Exit status 5 when the category or version does not exist.`
  static override examples = [
    { description: 'Move Fedora 41 to its release tree', command: '<%= config.bin %> <%= command.id %> --version 41 --category "Fedora Linux"' },
    { description: 'See what would move for the secondary arches', command: '<%= config.bin %> <%= command.id %> --version 41 --category "Fedora Secondary Arches" --dry-run' },
  ]

  static override flags = {
    version: Flags.string({ summary: 'Version name, e.g. 41.', required: true }),
    category: Flags.string({ summary: 'Category name, e.g. "Fedora Linux".', required: true }),
    'dry-run': Flags.boolean({ summary: 'Show what would move; change nothing.' }),
  }

  async run(): Promise<RepositoryMoveResult> {
    const { flags } = await this.parse(MoveDevelToRelease)
    const database = await this.db()
    const result = await moveDevelToRelease(database.sql, { version: flags.version, category: flags.category, dryRun: flags['dry-run'] })
    for (const move of result.moves) this.log(formatMove(move))
    for (const skip of result.skipped) this.logger.info(`not moved: ${skip.directory}: ${skip.reason}`)
    this.logger.info(`${result.moves.length} repositories ${result.dryRun ? 'would be moved (dry run, nothing changed)' : 'moved'}`)
    return result
  }
}
