import * as Args from '@oclif/core/args'
import { AdminCommand } from '../../../lib/cli/admin-command.js'
import { addRepositoryRedirect, type RepositoryRedirect } from '../../../lib/repos/redirects.js'

export default class RepoRedirectAdd extends AdminCommand {
  static override summary = 'Answer requests for one repository prefix as if another had been asked for.'
  static override description = 'Used when a release moves (e.g. a beta prefix to the final one, or an EOL release to its archive). A prefix is redirected at most once (exit status 6 otherwise), and a redirect to itself or the reverse of an existing one is refused: they would loop.'
  static override examples = [
    { description: 'Send the beta repository to the released one', command: '<%= config.bin %> <%= command.id %> fedora-42-beta fedora-42' },
    { description: 'In a script', command: '<%= config.bin %> <%= command.id %> updates-testing-f40 updates-released-f40 --json' },
  ]
  static override args = {
    from: Args.string({ description: 'Repository prefix clients ask for.', required: true }),
    to: Args.string({ description: 'Repository prefix to answer with.', required: true }),
  }

  async run(): Promise<RepositoryRedirect> {
    const { args } = await this.parse(RepoRedirectAdd)
    const redirect = await addRepositoryRedirect(await this.sql(), args.from, args.to)
    this.log(`${redirect.fromRepo} -> ${redirect.toRepo}`)
    return redirect
  }
}
