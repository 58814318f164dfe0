import * as Flags from '@oclif/core/flags'
import { DatabaseCommand } from '../lib/cli/database-command.js'
import { expireRepo, type ExpireRepoResult } from '../lib/lifecycle/expire-repo.js'

export default class ExpireRepo extends DatabaseCommand {
  static override summary = 'Emergency: drop every file detail but the newest under a version\'s repositories.'
  static override description = `For a withdrawn signing key or a broken push: under the directory tree of every repository of the product's version, removes all file details (repomd.xml and other checked files) except the newest per directory and file name. Metalinks then offer no alternates, so clients stop accepting the old metadata; run generate-snapshot afterwards to publish it.

One transaction. --dry-run lists what would be removed and changes nothing. Exit status 5 when the product or version does not exist.`
  static override examples = [
    { description: 'Expire old repodata of Fedora 41', command: '<%= config.bin %> <%= command.id %> --product Fedora --version 41' },
    { description: 'See what would go, as JSON', command: '<%= config.bin %> <%= command.id %> --product EPEL --version 9 --dry-run --json' },
  ]

  static override flags = {
    product: Flags.string({ summary: 'Product name, e.g. Fedora.', required: true }),
    version: Flags.string({ summary: 'Version name, e.g. 41.', required: true }),
    'dry-run': Flags.boolean({ summary: 'Show what would be removed; change nothing.' }),
  }

  async run(): Promise<ExpireRepoResult> {
    const { flags } = await this.parse(ExpireRepo)
    const database = await this.db()
    const result = await expireRepo(database.sql, { product: flags.product, version: flags.version, dryRun: flags['dry-run'] })
    for (const file of result.expired) this.log(`${result.dryRun ? 'would expire' : 'expired'} ${file.directory}/${file.filename} ${file.timestamp ?? ''}`.trimEnd())
    this.logger.info(
      `${result.expired.length} file details ${result.dryRun ? 'would be removed (dry run, nothing changed)' : 'removed'}, ${result.kept} kept, under ${result.repositories.length} repository directories`,
    )
    return result
  }
}
