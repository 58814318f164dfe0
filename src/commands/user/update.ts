import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { readStdin } from '../../lib/cli/read-stdin.js'
import { chooseNewPassword } from '../../lib/sites/site-password.js'
import { updateUser, type User } from '../../lib/users/users.js'

export default class UserUpdate extends AdminCommand {
  static override summary = 'Change a serve-web account: email, display name, password, confirmation.'
  static override description = 'Only the fields given change. A new password is stored hashed; --generate prints it once.'
  static override examples = [
    { description: 'A new address', command: '<%= config.bin %> <%= command.id %> alice --email alice@new.example.org' },
    { description: 'Reset a password for someone without mail', command: '<%= config.bin %> <%= command.id %> bob --generate --confirmed' },
  ]
  static override args = { username: Args.string({ description: 'Username.', required: true }) }
  static override flags = {
    email: Flags.string({ summary: 'Email address.' }),
    'display-name': Flags.string({ summary: 'Name shown to people.' }),
    confirmed: Flags.boolean({ summary: 'Mark the address confirmed (or not).', allowNo: true }),
    password: Flags.string({ summary: 'A new password (prefer --password-stdin).', exclusive: ['password-stdin', 'generate'] }),
    'password-stdin': Flags.boolean({ summary: 'Read a new password from standard input.', exclusive: ['password', 'generate'] }),
    generate: Flags.boolean({ summary: 'Generate a new random password and print it.', exclusive: ['password', 'password-stdin'] }),
  }

  async run(): Promise<User & { password?: string }> {
    const { args, flags } = await this.parse(UserUpdate)
    const wantsPassword = flags.password !== undefined || flags['password-stdin'] || flags.generate
    const chosen = wantsPassword
      ? await chooseNewPassword({ password: flags.password, passwordStdin: flags['password-stdin'], generate: flags.generate }, readStdin)
      : undefined
    const user = await updateUser(await this.sql(), args.username, {
      email: flags.email, displayName: flags['display-name'], confirmed: flags.confirmed, password: chosen?.password,
    })
    if (chosen?.generated) this.log(chosen.password)
    else this.showRecord(user)
    return chosen?.generated ? { ...user, password: chosen.password } : user
  }
}
