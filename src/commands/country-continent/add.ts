import * as Args from '@oclif/core/args'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { addCountryContinentRedirect, type CountryContinentRedirect } from '../../lib/geo/country-continent.js'

export default class CountryContinentAdd extends AdminCommand {
  static override summary = 'Treat clients from a country as being on another continent.'
  static override description = 'When a country has too few mirrors, its clients fall back to mirrors on their continent; this picks that continent (e.g. Israel -> Europe). The country is an ISO 3166-1 alpha-2 code, the continent one of AF, AN, AS, EU, NA, OC, SA. One redirect per country (exit status 6 otherwise).'
  static override examples = [
    { description: 'Israeli clients use European mirrors', command: '<%= config.bin %> <%= command.id %> IL EU' },
    { description: 'In a script', command: '<%= config.bin %> <%= command.id %> eg eu --json' },
  ]
  static override args = {
    country: Args.string({ description: 'ISO 3166-1 alpha-2 country code.', required: true }),
    continent: Args.string({ description: 'Continent code: AF, AN, AS, EU, NA, OC or SA.', required: true }),
  }

  async run(): Promise<CountryContinentRedirect> {
    const { args } = await this.parse(CountryContinentAdd)
    const redirect = await addCountryContinentRedirect(await this.sql(), args.country, args.continent)
    this.log(`${redirect.country} -> ${redirect.continent}`)
    return redirect
  }
}
