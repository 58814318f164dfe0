import * as Args from '@oclif/core/args'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { getUser, type User } from '../../lib/users/users.js'

export default class UserShow extends AdminCommand {
  static override summary = 'Show a serve-web account.'
  static override description = 'Exit status 5 for an unknown username.'
  static override examples = [
    { description: 'For people', command: '<%= config.bin %> <%= command.id %> alice' },
    { description: 'For a script', command: '<%= config.bin %> <%= command.id %> alice --json' },
  ]
  static override args = { username: Args.string({ description: 'Username.', required: true }) }

  async run(): Promise<User> {
    const { args } = await this.parse(UserShow)
    const user = await getUser(await this.sql(), args.username)
    this.showRecord(user)
    return user
  }
}
