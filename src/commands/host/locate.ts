import * as Flags from '@oclif/core/flags'
import { DatabaseCommand } from '../../lib/cli/database-command.js'
import { locateHosts, openCityDatabase, type LocateResult } from '../../lib/geo/host-locations.js'

export default class HostLocate extends DatabaseCommand {
  static override summary = 'Place public hosts on the mirror map from a GeoIP City database.'
  static override description = `For every public, enabled host, resolves the host names of its public URLs, looks the addresses up in a MaxMind GeoIP2/GeoLite2 City database and stores the most frequent location as the host's latitude/longitude (shown at /maps). Hosts that cannot be placed are reported and keep their previous coordinates; hosts in an embargoed country are not placed (their coordinates are cleared); coordinates set with \`host coordinates\` are left alone.`
  static override examples = [
    { description: 'Place every host', command: '<%= config.bin %> <%= command.id %> --city-db /usr/share/GeoIP/GeoLite2-City.mmdb' },
    { description: 'For a script', command: '<%= config.bin %> <%= command.id %> --city-db GeoLite2-City.mmdb --json' },
  ]
  static override flags = {
    'city-db': Flags.string({ summary: 'GeoIP City database (.mmdb) with locations.', required: true }),
  }

  async run(): Promise<LocateResult> {
    const { flags } = await this.parse(HostLocate)
    const city = await openCityDatabase(flags['city-db'])
    const { sql } = await this.db()
    const result = await locateHosts(sql, city)
    for (const placed of result.placed) this.log(`${placed.host}: ${placed.latitude}, ${placed.longitude}${placed.country ? ` (${placed.country})` : ''}`)
    for (const skipped of result.skipped) this.logger.warn(`${skipped.host}: ${skipped.reason}`)
    this.log(`${result.placed.length} placed, ${result.skipped.length} skipped, ${result.manual.length} set by hand`)
    return result
  }
}
