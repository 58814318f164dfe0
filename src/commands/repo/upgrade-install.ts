import * as Flags from '@oclif/core/flags'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { formatInstallChange, upgradeInstallRepositories, type InstallRepositoryResult } from '../../lib/repos/install-repositories.js'

export default class RepoUpgradeInstall extends AdminCommand {
  static override summary = 'Repoint a release\'s fedora-install-<version> repositories to its release tree.'
  static override description = `MirrorManager2's mm2_upgrade-install-repo, run when a release (or a new Beta) is out. For every arch but source, the repository fedora-install-<version> of that arch is repointed to <topdir>/releases/<version>/Server/<arch>/os and moved into that category, with the version set: topdir is the --category's top directory (pub/fedora/linux) for primary arches (\`arch list\`) and the --secondary-category's (pub/fedora-secondary) for the others. An arch is skipped, and reported on stderr, when that directory is not in the master tree (run umdl first), when it has no such repository, or when the repository is already there. Version "development" is refused: it has no release tree.

One transaction. --dry-run prints the same lines and changes nothing. Exit status 5 when the product, version or --category does not exist. Run generate-snapshot afterwards.`
  static override examples = [
    { description: 'Fedora 41 is released', command: '<%= config.bin %> <%= command.id %> --version 41 --dry-run' },
    { description: 'Another product and categories, as JSON', command: '<%= config.bin %> <%= command.id %> --product CentOS --version 10 --category "CentOS Stream" --secondary-category "CentOS AltArch" --json' },
  ]
  static override flags = {
    version: Flags.string({ summary: 'Version name, e.g. 41.', required: true }),
    product: Flags.string({ summary: 'Product of the version.', default: 'Fedora' }),
    category: Flags.string({ summary: 'Category of the primary arches\' release tree.', default: 'Fedora Linux' }),
    'secondary-category': Flags.string({ summary: 'Category of the other arches\' release tree.', default: 'Fedora Secondary Arches' }),
    prefix: Flags.string({ summary: 'Repository prefix (default fedora-install-<version>).' }),
    'dry-run': Flags.boolean({ summary: 'Show what would be repointed; change nothing.' }),
  }

  async run(): Promise<InstallRepositoryResult> {
    const { flags } = await this.parse(RepoUpgradeInstall)
    const result = await upgradeInstallRepositories(await this.sql(), {
      version: flags.version,
      product: flags.product,
      category: flags.category,
      secondaryCategory: flags['secondary-category'],
      prefix: flags.prefix,
      dryRun: flags['dry-run'],
    })
    for (const change of result.changes) this.log(formatInstallChange(change))
    for (const skip of result.skipped) this.logger.info(`not repointed: ${skip.prefix} ${skip.arch}: ${skip.reason}`)
    this.logger.info(`${result.changes.length} install repositories ${result.dryRun ? 'would be repointed (dry run, nothing changed)' : 'repointed'}`)
    return result
  }
}
