import * as Args from '@oclif/core/args'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { removeUser, type User } from '../../lib/users/users.js'

export default class UserRemove extends AdminCommand {
  static override summary = 'Remove a serve-web account and end its sessions.'
  static override description = 'The sites it administers keep their other admins; use `site admin remove` to take the name off a site too.'
  static override examples = [
    { description: 'Remove an account', command: '<%= config.bin %> <%= command.id %> mallory' },
    { description: 'Remove it and show what was removed as JSON', command: '<%= config.bin %> <%= command.id %> mallory --json' },
  ]
  static override args = { username: Args.string({ description: 'Username.', required: true }) }

  async run(): Promise<{ removed: User }> {
    const { args } = await this.parse(UserRemove)
    const removed = await removeUser(await this.sql(), args.username)
    this.log(`removed account "${removed.username}"`)
    return { removed }
  }
}
