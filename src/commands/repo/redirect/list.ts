import { AdminCommand } from '../../../lib/cli/admin-command.js'
import { listRepositoryRedirects, type RepositoryRedirect } from '../../../lib/repos/redirects.js'

export default class RepoRedirectList extends AdminCommand {
  static override summary = 'List repository redirects.'
  static override description = 'With --json: an array of {id, fromRepo, toRepo}.'
  static override examples = [
    { description: 'As a table', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'As JSON', command: '<%= config.bin %> <%= command.id %> --json' },
  ]

  async run(): Promise<RepositoryRedirect[]> {
    await this.parse(RepoRedirectList)
    const redirects = await listRepositoryRedirects(await this.sql())
    this.showTable(
      [
        { header: 'from', value: (r: RepositoryRedirect) => r.fromRepo },
        { header: 'to', value: (r) => r.toRepo },
      ],
      redirects,
      'no repository redirects',
    )
    return redirects
  }
}
