import * as Flags from '@oclif/core/flags'
import { DatabaseCommand } from '../../lib/cli/database-command.js'
import { renderRsyncAcl, rsyncAcl, writeFileAtomically, type RsyncAcl } from '../../lib/acl/rsync-acl.js'

export default class AclRsync extends DatabaseCommand {
  static override summary = 'Write the master rsync daemon\'s "hosts allow" list from the hosts\' ACL IPs.'
  static override description = `Collects the ACL IPs of every active host of an active site (host acl-ip add), each once, sorted (addresses, then host names), and writes them for the master mirror's rsyncd: --format rsyncd (default) gives one "hosts allow = ..." line to include in rsyncd.conf, --format plain one entry per line. An empty list gives "hosts allow = 0.0.0.0/32" (nobody), never an open module.

With -o the file is replaced atomically (written beside it, then renamed); without, the list goes to stdout. Entries that are not an address, CIDR block or host name are left out with a warning naming the host.`
  static override examples = [
    { description: 'Regenerate the include file of rsyncd.conf', command: '<%= config.bin %> <%= command.id %> -o /etc/rsyncd.d/mirrors-allow.conf' },
    { description: 'One entry per line, to stdout', command: '<%= config.bin %> <%= command.id %> --format plain' },
  ]

  static override flags = {
    output: Flags.string({ char: 'o', summary: 'File to replace atomically. Default: stdout.' }),
    format: Flags.string({ summary: 'rsyncd: a "hosts allow = ..." line; plain: one entry per line.', options: ['rsyncd', 'plain'], default: 'rsyncd' }),
  }

  async run(): Promise<RsyncAcl & { output?: string }> {
    const { flags } = await this.parse(AclRsync)
    const database = await this.db()
    const acl = await rsyncAcl(database.sql)
    for (const bad of acl.rejected) this.logger.warn(`${bad.host}: ACL entry ${JSON.stringify(bad.entry)} is not an address, block or host name; left out`)
    const text = renderRsyncAcl(acl, flags.format as 'rsyncd' | 'plain')
    if (flags.output) {
      await writeFileAtomically(flags.output, text)
      this.logger.info(`${flags.output}: ${acl.entries.length} entries`)
    } else if (!this.jsonEnabled()) process.stdout.write(text)
    return { ...acl, output: flags.output }
  }
}
