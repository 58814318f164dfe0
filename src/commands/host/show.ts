import * as Args from '@oclif/core/args'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { getHostDetails, hostDetailsLines, type HostDetails } from '../../lib/hosts/host-details.js'
import { HOST_REFERENCE_HELP } from '../../lib/hosts/host-ref.js'

export default class HostShow extends AdminCommand {
  static override summary = 'Show a host with its categories, URLs, netblocks, peer ASNs, allowed countries and ACL IPs.'
  static override description = `${HOST_REFERENCE_HELP} Exit status 5 if there is no such host; 2 if a bare host name exists on several sites.`
  static override examples = [
    { description: 'By SITE/HOST', command: '<%= config.bin %> <%= command.id %> "Example University/mirror.example.edu"' },
    { description: 'By id, its URLs for a script', command: "<%= config.bin %> <%= command.id %> 42 --json | jq -r '.categories[].urls[].url'" },
  ]
  static override args = { host: Args.string({ description: HOST_REFERENCE_HELP, required: true }) }

  async run(): Promise<HostDetails> {
    const { args } = await this.parse(HostShow)
    const host = await getHostDetails(await this.sql(), args.host)
    this.showEntries(hostDetailsLines(host))
    return host
  }
}
