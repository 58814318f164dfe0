import { AdminCommand } from '../../lib/cli/admin-command.js'
import { listCountryContinentRedirects, type CountryContinentRedirect } from '../../lib/geo/country-continent.js'

export default class CountryContinentList extends AdminCommand {
  static override summary = 'List country-to-continent redirects.'
  static override description = 'With --json: an array of {id, country, continent}.'
  static override examples = [
    { description: 'As a table', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'As JSON', command: '<%= config.bin %> <%= command.id %> --json' },
  ]

  async run(): Promise<CountryContinentRedirect[]> {
    await this.parse(CountryContinentList)
    const redirects = await listCountryContinentRedirects(await this.sql())
    this.showTable(
      [
        { header: 'country', value: (r: CountryContinentRedirect) => r.country },
        { header: 'continent', value: (r) => r.continent },
      ],
      redirects,
      'no country-to-continent redirects',
    )
    return redirects
  }
}
