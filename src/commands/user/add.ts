import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { readStdin } from '../../lib/cli/read-stdin.js'
import { chooseNewPassword } from '../../lib/sites/site-password.js'
import { addUser, type User } from '../../lib/users/users.js'

const SOURCES = ['password', 'password-stdin', 'generate', 'no-password']

export default class UserAdd extends AdminCommand {
  static override summary = 'Add a serve-web account (confirmed: no mail is sent).'
  static override description = `Usernames hold letters, digits, ".", "_" and "-"; usernames and email addresses are unique (exit status 6 otherwise). The password is stored hashed (scrypt). --no-password makes an account that signs in through OpenID Connect only. --admin makes a mirror admin (sees and changes every site).`
  static override examples = [
    { description: 'A mirror admin with a generated password, printed once', command: '<%= config.bin %> <%= command.id %> alice --email alice@example.org --admin --generate' },
    { description: 'An account whose password comes from a secrets file', command: '<%= config.bin %> <%= command.id %> bob --email bob@example.org --password-stdin < /run/secrets/bob' },
  ]
  static override args = { username: Args.string({ description: 'Username.', required: true }) }
  static override flags = {
    email: Flags.string({ summary: 'Email address.', required: true }),
    'display-name': Flags.string({ summary: 'Name shown to people.' }),
    admin: Flags.boolean({ summary: 'A mirror admin.' }),
    password: Flags.string({ summary: 'The password (visible in the process list; prefer --password-stdin).', exactlyOne: SOURCES }),
    'password-stdin': Flags.boolean({ summary: 'Read the password from the first line of standard input.', exactlyOne: SOURCES }),
    generate: Flags.boolean({ summary: 'Generate a random password and print it.', exactlyOne: SOURCES }),
    'no-password': Flags.boolean({ summary: 'No password: sign-in through OpenID Connect only.', exactlyOne: SOURCES }),
  }

  async run(): Promise<User & { password?: string }> {
    const { args, flags } = await this.parse(UserAdd)
    const chosen = flags['no-password']
      ? undefined
      : await chooseNewPassword({ password: flags.password, passwordStdin: flags['password-stdin'], generate: flags.generate }, readStdin)
    const user = await addUser(await this.sql(), args.username, {
      email: flags.email, displayName: flags['display-name'], admin: flags.admin, confirmed: true, password: chosen?.password,
    })
    if (chosen?.generated) this.log(chosen.password)
    else this.showRecord(user)
    return chosen?.generated ? { ...user, password: chosen.password } : user
  }
}
