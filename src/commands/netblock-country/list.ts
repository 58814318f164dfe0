import { AdminCommand } from '../../lib/cli/admin-command.js'
import { listNetblockCountries, type NetblockCountry } from '../../lib/geo/netblock-country.js'

export default class NetblockCountryList extends AdminCommand {
  static override summary = 'List netblock-to-country overrides.'
  static override description = 'Ordered by country. With --json: an array of {id, netblock, country}.'
  static override examples = [
    { description: 'As a table', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'As JSON', command: '<%= config.bin %> <%= command.id %> --json' },
  ]

  async run(): Promise<NetblockCountry[]> {
    await this.parse(NetblockCountryList)
    const mappings = await listNetblockCountries(await this.sql())
    this.showTable(
      [
        { header: 'netblock', value: (m: NetblockCountry) => m.netblock },
        { header: 'country', value: (m) => m.country },
      ],
      mappings,
      'no netblock-to-country overrides',
    )
    return mappings
  }
}
