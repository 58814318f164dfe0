import * as Args from '@oclif/core/args'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { HOST_REFERENCE_HELP } from '../../lib/hosts/host-ref.js'
import { getHost, removeHost, type Host } from '../../lib/hosts/hosts.js'

export default class HostRemove extends AdminCommand {
  static override summary = 'Remove a host with its categories, URLs, netblocks and other settings.'
  static override description = `${HOST_REFERENCE_HELP} To take a host out of the mirror lists for a while, prefer \`host update --no-admin-active\`.`
  static override examples = [
    { description: 'Remove a host', command: '<%= config.bin %> <%= command.id %> "Example University/old-mirror.example.edu"' },
    { description: 'By id, in a script', command: '<%= config.bin %> <%= command.id %> 42 --json' },
  ]
  static override args = { host: Args.string({ description: HOST_REFERENCE_HELP, required: true }) }

  async run(): Promise<{ removed: Host }> {
    const { args } = await this.parse(HostRemove)
    const removed = await this.audited('host.delete', { host: args.host }, (tx) => removeHost(tx, args.host), { before: (tx) => getHost(tx, args.host), after: () => null })
    this.log(`removed host "${removed.site}/${removed.name}"`)
    return { removed }
  }
}
