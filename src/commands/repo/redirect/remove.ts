import * as Args from '@oclif/core/args'
import { AdminCommand } from '../../../lib/cli/admin-command.js'
import { removeRepositoryRedirect, type RepositoryRedirect } from '../../../lib/repos/redirects.js'

export default class RepoRedirectRemove extends AdminCommand {
  static override summary = 'Remove a repository redirect.'
  static override description = 'Exit status 5 if the prefix is not redirected.'
  static override examples = [
    { description: 'Remove a redirect', command: '<%= config.bin %> <%= command.id %> fedora-42-beta' },
    { description: 'In a script', command: '<%= config.bin %> <%= command.id %> updates-testing-f40 --json' },
  ]
  static override args = { from: Args.string({ description: 'The redirected prefix.', required: true }) }

  async run(): Promise<{ removed: RepositoryRedirect }> {
    const { args } = await this.parse(RepoRedirectRemove)
    const removed = await removeRepositoryRedirect(await this.sql(), args.from)
    this.log(`removed redirect ${removed.fromRepo} -> ${removed.toRepo}`)
    return { removed }
  }
}
