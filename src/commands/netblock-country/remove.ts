import * as Args from '@oclif/core/args'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { removeNetblockCountry, type NetblockCountry } from '../../lib/geo/netblock-country.js'

export default class NetblockCountryRemove extends AdminCommand {
  static override summary = 'Remove a netblock-to-country override.'
  static override description = 'The netblock is matched in its stored CIDR form. Exit status 5 if it is not mapped.'
  static override examples = [
    { description: 'Remove an override', command: '<%= config.bin %> <%= command.id %> 192.0.2.0/24' },
    { description: 'In a script', command: '<%= config.bin %> <%= command.id %> 2001:db8::/32 --json' },
  ]
  static override args = { netblock: Args.string({ description: 'The netblock to remove.', required: true }) }

  async run(): Promise<{ removed: NetblockCountry }> {
    const { args } = await this.parse(NetblockCountryRemove)
    const removed = await removeNetblockCountry(await this.sql(), args.netblock)
    this.log(`removed ${removed.netblock} -> ${removed.country}`)
    return { removed }
  }
}
