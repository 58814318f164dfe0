import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { updateUser, type User } from '../../lib/users/users.js'

export default class UserAdmin extends AdminCommand {
  static override summary = 'Make a serve-web account a mirror admin, or (--revoke) no longer one.'
  static override description = 'Mirror admins see and change every site and host, and the admin-only fields (admin active, ASN, Internet2, peer ASNs, always-up-to-date, large netblocks). Members of web.admin_group are admins too, whatever this flag says.'
  static override examples = [
    { description: 'Grant', command: '<%= config.bin %> <%= command.id %> alice' },
    { description: 'Revoke', command: '<%= config.bin %> <%= command.id %> alice --revoke' },
  ]
  static override args = { username: Args.string({ description: 'Username.', required: true }) }
  static override flags = { revoke: Flags.boolean({ summary: 'Take the admin flag away.' }) }

  async run(): Promise<User> {
    const { args, flags } = await this.parse(UserAdmin)
    const user = await updateUser(await this.sql(), args.username, { admin: !flags.revoke })
    this.log(`"${user.username}" is ${user.admin ? 'now' : 'no longer'} a mirror admin`)
    return user
  }
}
