import * as Flags from '@oclif/core/flags'
import { DatabaseCommand } from '../lib/cli/database-command.js'
import { archiveFailure, DEFAULT_ARCHIVE_CATEGORY, moveToArchive, type MoveToArchiveResult } from '../lib/lifecycle/move-to-archive.js'
import { formatMove } from '../lib/lifecycle/repository-move.js'

export default class MoveToArchive extends DatabaseCommand {
  static override summary = 'Repoint an end-of-life release\'s repositories to the archive tree.'
  static override description = `Run once the files of an EOL release are in the archive tree and enough mirrors carry them. Each selected repository is repointed to the same path under the archive category's top directory (pub/fedora/linux/X => pub/archive/fedora/linux/X) and moved into the archive category. Select the repositories by --repository (a repo= prefix, all arches) or by --product and --version; --directory-regex narrows either selection.

A repository whose directory is missing from the archive tree stays where it is ("Unable to find a directory in [<archive>] for <dir>" on stderr); the others move, and the exit status is 8 (partial failure). All changes are made in one transaction; --dry-run prints the same lines and changes nothing.`
  static override examples = [
    { description: 'Archive Fedora 26', command: '<%= config.bin %> <%= command.id %> --product Fedora --version 26' },
    { description: 'Archive one repository, dry run first', command: '<%= config.bin %> <%= command.id %> --repository updates-testing-f26 --dry-run' },
    { description: 'Archive EPEL 4 directories only', command: '<%= config.bin %> <%= command.id %> --product EPEL --version 4 --directory-regex "/4/"' },
  ]

  static override flags = {
    repository: Flags.string({ summary: 'Repository prefix (repo= name) to archive.', exclusive: ['product', 'version'] }),
    product: Flags.string({ summary: 'Product name, with --version.', dependsOn: ['version'] }),
    version: Flags.string({ summary: 'Version name, with --product.', dependsOn: ['product'] }),
    'archive-category': Flags.string({ summary: 'The archive category.', default: DEFAULT_ARCHIVE_CATEGORY }),
    'directory-regex': Flags.string({ summary: 'Only repositories whose directory matches this regular expression.' }),
    'dry-run': Flags.boolean({ summary: 'Show what would move; change nothing.' }),
  }

  async run(): Promise<MoveToArchiveResult> {
    const { flags } = await this.parse(MoveToArchive)
    const database = await this.db()
    const result = await moveToArchive(database.sql, {
      repository: flags.repository,
      product: flags.product,
      version: flags.version,
      archiveCategory: flags['archive-category'],
      directoryRegex: flags['directory-regex'],
      dryRun: flags['dry-run'],
    })
    for (const move of result.moves) this.log(formatMove(move))
    for (const skip of result.skipped) this.logger.info(`not moved: ${skip.directory}: ${skip.reason}`)
    for (const failure of result.failed) this.logToStderr(failure.reason)
    if (result.failed.length > 0) throw archiveFailure(result)
    this.logger.info(`${result.moves.length} repositories ${result.dryRun ? 'would be moved (dry run, nothing changed)' : 'moved'}`)
    return result
  }
}
