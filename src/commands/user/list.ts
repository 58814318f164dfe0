import { AdminCommand } from '../../lib/cli/admin-command.js'
import { listUsers, type User } from '../../lib/users/users.js'

export default class UserList extends AdminCommand {
  static override summary = 'List serve-web accounts.'
  static override description = 'With --json: an array of account objects (never the password hash; hasPassword says whether one is set).'
  static override examples = [
    { description: 'As a table', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'The admins, for a script', command: "<%= config.bin %> <%= command.id %> --json | jq -r '.[] | select(.admin) | .username'" },
  ]

  async run(): Promise<User[]> {
    await this.parse(UserList)
    const users = await listUsers(await this.sql())
    this.showTable(
      [
        { header: 'username', value: (u: User) => u.username },
        { header: 'email', value: (u) => u.email },
        { header: 'admin', value: (u) => u.admin },
        { header: 'confirmed', value: (u) => u.confirmed },
        { header: 'password', value: (u) => u.hasPassword },
        { header: 'created', value: (u) => u.createdAt },
      ],
      users,
      'no accounts (add one with `mirrormanager user add NAME --email ADDRESS`)',
    )
    return users
  }
}
