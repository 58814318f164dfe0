import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { hostFields, hostFlags } from '../../lib/cli/admin-flags.js'
import { HOST_REFERENCE_HELP } from '../../lib/hosts/host-ref.js'
import { getHost, updateHost, type Host } from '../../lib/hosts/hosts.js'

export default class HostUpdate extends AdminCommand {
  static override summary = 'Change a host: name, country, bandwidth, flags, ASN, comment.'
  static override description = `${HOST_REFERENCE_HELP} Only the fields given change; every value is validated before anything is written.`
  static override examples = [
    { description: 'Disable a host', command: '<%= config.bin %> <%= command.id %> "Example University/mirror.example.edu" --no-admin-active --comment "disk failure, back next week"' },
    { description: 'Set bandwidth and ASN', command: '<%= config.bin %> <%= command.id %> mirror.example.edu --bandwidth 40000 --asn 64500' },
  ]
  static override args = { host: Args.string({ description: HOST_REFERENCE_HELP, required: true }) }
  static override flags = { name: Flags.string({ summary: 'New host name (DNS name).' }), ...hostFlags }

  async run(): Promise<Host> {
    const { args, flags } = await this.parse(HostUpdate)
    const host = await this.audited('host.edit', { host: args.host }, (tx) => updateHost(tx, args.host, { name: flags.name, ...hostFields(flags) }), { before: (tx) => getHost(tx, args.host) })
    this.showRecord(host)
    return host
  }
}
