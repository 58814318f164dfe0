import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { AdminCommand } from '../../../lib/cli/admin-command.js'
import { HOST_REFERENCE_HELP } from '../../../lib/hosts/host-ref.js'
import { addHostUrl, type HostUrl } from '../../../lib/hosts/host-urls.js'

export default class HostUrlAdd extends AdminCommand {
  static override summary = 'Add a URL under which a host serves a category.'
  static override description = `${HOST_REFERENCE_HELP} The URL must be http, https, ftp or rsync and point at the category's top directory; it is stored without a trailing slash. Each URL is registered once across all hosts (exit status 6 otherwise). If the host does not carry the category yet, it is added in the same transaction. Private URLs are given only to clients of the host's own netblocks.`
  static override examples = [
    { description: 'HTTPS and rsync for the main tree', command: '<%= config.bin %> <%= command.id %> "Example University/mirror.example.edu" "Fedora Linux" https://mirror.example.edu/fedora/linux' },
    { description: 'A URL only for internal clients', command: '<%= config.bin %> <%= command.id %> mirror.corp.example.com "Fedora Linux" http://10.0.0.5/fedora --private' },
  ]
  static override args = {
    host: Args.string({ description: HOST_REFERENCE_HELP, required: true }),
    category: Args.string({ description: 'Category name.', required: true }),
    url: Args.string({ description: 'http, https, ftp or rsync URL of the category\'s top directory.', required: true }),
  }
  static override flags = { private: Flags.boolean({ summary: 'Only for clients in the host\'s netblocks.' }) }

  async run(): Promise<HostUrl> {
    const { args, flags } = await this.parse(HostUrlAdd)
    const added = await this.audited('host.url.add', { host: args.host }, (tx) => addHostUrl(tx, args.host, args.category, args.url, { private: flags.private }))
    this.log(`added ${added.url} to "${added.host}" for "${added.category}"`)
    return added
  }
}
