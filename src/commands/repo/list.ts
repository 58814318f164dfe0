import * as Flags from '@oclif/core/flags'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { listRepositories, type Repository } from '../../lib/repos/repositories.js'

export default class RepoList extends AdminCommand {
  static override summary = 'List repositories (found by umdl), optionally filtered.'
  static override description = 'Each repository is a prefix (what clients ask for with ?repo=) and an arch, in a directory of a category. With --json: an array of {id, name, prefix, arch, category, product, version, directory, disabled}.'
  static override examples = [
    { description: 'Fedora 41 x86_64 repositories', command: '<%= config.bin %> <%= command.id %> --product Fedora --version 41 --arch x86_64' },
    { description: 'Disabled repositories, for a script', command: "<%= config.bin %> <%= command.id %> --disabled --json | jq -r '.[].prefix'" },
  ]
  static override flags = {
    category: Flags.string({ summary: 'Only this category\'s repositories.' }),
    product: Flags.string({ summary: 'Only this product\'s repositories.' }),
    version: Flags.string({ summary: 'Only this version\'s repositories.' }),
    arch: Flags.string({ summary: 'Only this arch\'s repositories.' }),
    disabled: Flags.boolean({ summary: 'Only disabled (--disabled) or enabled (--no-disabled) repositories.', allowNo: true }),
  }

  async run(): Promise<Repository[]> {
    const { flags } = await this.parse(RepoList)
    const repositories = await listRepositories(await this.sql(), flags)
    this.showTable(
      [
        { header: 'id', value: (r: Repository) => r.id },
        { header: 'prefix', value: (r) => r.prefix },
        { header: 'arch', value: (r) => r.arch },
        { header: 'version', value: (r) => r.version },
        { header: 'category', value: (r) => r.category },
        { header: 'directory', value: (r) => r.directory },
        { header: 'disabled', value: (r) => r.disabled },
      ],
      repositories,
      'no repositories (umdl creates them when it scans the master tree)',
    )
    return repositories
  }
}
