import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { readStdin } from '../../lib/cli/read-stdin.js'
import { chooseNewPassword, setSitePassword } from '../../lib/sites/site-password.js'

const SOURCES = ['password', 'password-stdin', 'generate']

export default class SitePassword extends AdminCommand {
  static override summary = 'Set or reset the password a site\'s hosts use to report (report-mirror).'
  static override description = `The password is stored hashed (scrypt); it cannot be shown again later. Give it with --password-stdin (keeps it out of the process list and shell history), --password, or let --generate make a random one and print it once on standard output (with --json: {"site", "password"}).

Passwords shorter than 8 characters are rejected (exit status 4).`
  static override examples = [
    { description: 'Reset to a new random password and show it', command: '<%= config.bin %> <%= command.id %> "Example University" --generate' },
    { description: 'Set it from a secrets file', command: '<%= config.bin %> <%= command.id %> "Example University" --password-stdin < /run/secrets/example-site' },
  ]
  static override args = { site: Args.string({ description: 'Site name, or its numeric id (see list).', required: true }) }
  static override flags = {
    password: Flags.string({ summary: 'The new password (visible in the process list; prefer --password-stdin).', exactlyOne: SOURCES }),
    'password-stdin': Flags.boolean({ summary: 'Read the new password from the first line of standard input.', exactlyOne: SOURCES }),
    generate: Flags.boolean({ summary: 'Generate a random password and print it.', exactlyOne: SOURCES }),
  }

  async run(): Promise<{ site: string; password?: string }> {
    const { args, flags } = await this.parse(SitePassword)
    const source = { password: flags.password, passwordStdin: flags['password-stdin'], generate: flags.generate }
    const { password, generated } = await chooseNewPassword(source, readStdin)
    const { site } = await this.audited('site.password', { site: args.site }, (tx) => setSitePassword(tx, args.site, password), { after: () => 'changed' })
    if (generated) this.log(password)
    this.logger.info(`password of site "${site}" ${generated ? 'reset to the password above' : 'set'}`)
    return generated ? { site, password } : { site }
  }
}
