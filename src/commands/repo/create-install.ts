import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import {
  createInstallRepositories,
  formatInstallChange,
  INSTALL_ARCHES,
  type InstallRepositoryResult,
} from '../../lib/repos/install-repositories.js'

export default class RepoCreateInstall extends AdminCommand {
  static override summary = 'Create the fedora-install-<version> repositories on a release\'s install trees.'
  static override description = `MirrorManager2's mm2_create_install_repo. For each arch (default ${INSTALL_ARCHES.join(', ')}, MirrorManager2's list) the repository with prefix fedora-install-<version> and that arch is pointed at BASE_PATH/Server/<arch>/os, in the given category and version: created when it does not exist, repointed (directory, category, version) when it does. BASE_PATH is a directory of the master tree inside the category, e.g. pub/fedora/linux/releases/test/41_Beta; at release time \`repo upgrade-install\` moves the repositories to releases/<version>.

One transaction, all or nothing: an unknown category, version (of the category's product) or arch, or an install tree missing from the master tree (run umdl first, or narrow --arch), is an error (exit status 5) and nothing is written. --dry-run prints the same lines and changes nothing. Run generate-snapshot afterwards.`
  static override examples = [
    { description: 'The Beta install trees of Fedora 41', command: '<%= config.bin %> <%= command.id %> --version 41 --category "Fedora Linux" pub/fedora/linux/releases/test/41_Beta --dry-run' },
    { description: 'Only the arches that have an install tree, as JSON', command: '<%= config.bin %> <%= command.id %> --version 41 --category "Fedora Linux" --arch x86_64 --arch aarch64 pub/fedora/linux/releases/test/41_Beta --json' },
  ]
  static override args = {
    base_path: Args.string({ description: 'Release tree holding Server/<arch>/os, relative to the top of the master tree.', required: true }),
  }
  static override flags = {
    version: Flags.string({ summary: 'Version name, e.g. 41.', required: true }),
    category: Flags.string({ summary: 'Category name, e.g. "Fedora Linux".', required: true }),
    arch: Flags.string({ summary: `Arch to create a repository for (repeatable; default ${INSTALL_ARCHES.join(', ')}).`, multiple: true }),
    prefix: Flags.string({ summary: 'Repository prefix (default fedora-install-<version>).' }),
    'dry-run': Flags.boolean({ summary: 'Show what would be created or repointed; change nothing.' }),
  }

  async run(): Promise<InstallRepositoryResult> {
    const { args, flags } = await this.parse(RepoCreateInstall)
    const result = await createInstallRepositories(await this.sql(), {
      version: flags.version,
      category: flags.category,
      basePath: args.base_path,
      arches: flags.arch,
      prefix: flags.prefix,
      dryRun: flags['dry-run'],
    })
    for (const change of result.changes) this.log(formatInstallChange(change))
    this.logger.info(`${result.changes.length} install repositories ${result.dryRun ? 'would be written (dry run, nothing changed)' : 'written'}`)
    return result
  }
}
