import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { getRepository, REPOSITORY_REFERENCE_HELP, type Repository } from '../../lib/repos/repositories.js'

export default class RepoShow extends AdminCommand {
  static override summary = 'Show one repository.'
  static override description = `${REPOSITORY_REFERENCE_HELP} Exit status 5 if there is no such repository.`
  static override examples = [
    { description: 'By prefix and arch', command: '<%= config.bin %> <%= command.id %> fedora-41 --arch x86_64' },
    { description: 'By id, as JSON', command: '<%= config.bin %> <%= command.id %> 17 --json' },
  ]
  static override args = { repo: Args.string({ description: 'Repository id, or prefix (with --arch).', required: true }) }
  static override flags = { arch: Flags.string({ summary: 'Arch of the repository named by prefix.' }) }

  async run(): Promise<Repository> {
    const { args, flags } = await this.parse(RepoShow)
    const repository = await getRepository(await this.sql(), args.repo, flags.arch)
    this.showRecord(repository)
    return repository
  }
}
