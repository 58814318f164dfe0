import * as Args from '@oclif/core/args'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { addNetblockCountry, type NetblockCountry } from '../../lib/geo/netblock-country.js'

export default class NetblockCountryAdd extends AdminCommand {
  static override summary = 'Override GeoIP: clients in a netblock are from a given country.'
  static override description = 'For networks GeoIP places wrongly (a national research network announced from abroad, a VPN concentrator). The netblock is CIDR, a bare address or address/dotted-netmask (no size limit); the country an ISO 3166-1 alpha-2 code. A netblock is mapped once (exit status 6 otherwise).'
  static override examples = [
    { description: 'A research network that GeoIP places in the US', command: '<%= config.bin %> <%= command.id %> 192.0.2.0/24 NZ' },
    { description: 'An IPv6 block, in a script', command: '<%= config.bin %> <%= command.id %> 2001:db8::/32 de --json' },
  ]
  static override args = {
    netblock: Args.string({ description: 'CIDR netblock or IP address.', required: true }),
    country: Args.string({ description: 'ISO 3166-1 alpha-2 country code.', required: true }),
  }

  async run(): Promise<NetblockCountry> {
    const { args } = await this.parse(NetblockCountryAdd)
    const mapping = await addNetblockCountry(await this.sql(), args.netblock, args.country)
    this.log(`${mapping.netblock} -> ${mapping.country}`)
    return mapping
  }
}
