import * as Args from '@oclif/core/args'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { removeCountryContinentRedirect, type CountryContinentRedirect } from '../../lib/geo/country-continent.js'

export default class CountryContinentRemove extends AdminCommand {
  static override summary = 'Remove a country-to-continent redirect.'
  static override description = 'The country\'s clients fall back to their geographic continent again. Exit status 5 if the country has no redirect.'
  static override examples = [
    { description: 'Remove the redirect for Israel', command: '<%= config.bin %> <%= command.id %> IL' },
    { description: 'In a script', command: '<%= config.bin %> <%= command.id %> eg --json' },
  ]
  static override args = { country: Args.string({ description: 'ISO 3166-1 alpha-2 country code.', required: true }) }

  async run(): Promise<{ removed: CountryContinentRedirect }> {
    const { args } = await this.parse(CountryContinentRemove)
    const removed = await removeCountryContinentRedirect(await this.sql(), args.country)
    this.log(`removed redirect ${removed.country} -> ${removed.continent}`)
    return { removed }
  }
}
