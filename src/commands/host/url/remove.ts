import * as Args from '@oclif/core/args'
import { AdminCommand } from '../../../lib/cli/admin-command.js'
import { HOST_REFERENCE_HELP } from '../../../lib/hosts/host-ref.js'
import { removeHostUrl, type HostUrl } from '../../../lib/hosts/host-urls.js'

export default class HostUrlRemove extends AdminCommand {
  static override summary = 'Remove a URL from a host.'
  static override description = `${HOST_REFERENCE_HELP} The URL is matched after the same normalisation as on add (a trailing slash does not matter). The host keeps carrying the category.`
  static override examples = [
    { description: 'Drop the FTP URL', command: '<%= config.bin %> <%= command.id %> "Example University/mirror.example.edu" ftp://mirror.example.edu/fedora/linux' },
    { description: 'By host id, in a script', command: '<%= config.bin %> <%= command.id %> 42 https://mirror.example.edu/fedora/linux/ --json' },
  ]
  static override args = {
    host: Args.string({ description: HOST_REFERENCE_HELP, required: true }),
    url: Args.string({ description: 'The URL to remove.', required: true }),
  }

  async run(): Promise<HostUrl> {
    const { args } = await this.parse(HostUrlRemove)
    const removed = await this.audited('host.url.remove', { host: args.host }, (tx) => removeHostUrl(tx, args.host, args.url), { before: async () => args.url, after: () => null })
    this.log(`removed ${removed.url} from "${removed.host}"`)
    return removed
  }
}
