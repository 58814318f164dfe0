import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { REPOSITORY_REFERENCE_HELP, setRepositoryDisabled, type Repository } from '../../lib/repos/repositories.js'

export default class RepoDisable extends AdminCommand {
  static override summary = 'Disable a repository: left out of the next snapshot.'
  static override description = `${REPOSITORY_REFERENCE_HELP} Clients asking for a disabled repository get no mirrors once the next snapshot is published. Undo with \`repo enable\`.`
  static override examples = [
    { description: 'By prefix and arch', command: '<%= config.bin %> <%= command.id %> fedora-41 --arch i386' },
    { description: 'By id, in a script', command: '<%= config.bin %> <%= command.id %> 17 --json' },
  ]
  static override args = { repo: Args.string({ description: 'Repository id, or prefix (with --arch).', required: true }) }
  static override flags = { arch: Flags.string({ summary: 'Arch of the repository named by prefix.' }) }

  async run(): Promise<Repository> {
    const { args, flags } = await this.parse(RepoDisable)
    const repository = await setRepositoryDisabled(await this.sql(), args.repo, flags.arch, true)
    this.log(`disabled repository ${repository.prefix ?? repository.id} (${repository.arch ?? 'no arch'})`)
    return repository
  }
}
