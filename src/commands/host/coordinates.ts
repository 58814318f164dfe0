import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { DatabaseCommand } from '../../lib/cli/database-command.js'
import { setHostCoordinates } from '../../lib/geo/host-locations.js'
import { HOST_REFERENCE_HELP } from '../../lib/hosts/host-ref.js'

export default class HostCoordinates extends DatabaseCommand {
  static override summary = "Set a host's map coordinates by hand, or hand it back to `host locate`."
  static override description = `${HOST_REFERENCE_HELP} Coordinates set here are shown on the mirror map (/maps) and never overwritten by \`host locate\`; --auto clears them and lets \`host locate\` place the host again.`
  static override examples = [
    { description: 'Place a host in Stockholm', command: '<%= config.bin %> <%= command.id %> mirror.example.edu --latitude 59.33 --longitude 18.07' },
    { description: 'Let host locate place it again', command: '<%= config.bin %> <%= command.id %> "Example University/mirror.example.edu" --auto --json' },
  ]
  static override args = { host: Args.string({ description: HOST_REFERENCE_HELP, required: true }) }
  static override flags = {
    latitude: Flags.string({ summary: 'Degrees north (-90 to 90).', exclusive: ['auto'], dependsOn: ['longitude'] }),
    longitude: Flags.string({ summary: 'Degrees east (-180 to 180).', exclusive: ['auto'], dependsOn: ['latitude'] }),
    auto: Flags.boolean({ summary: 'Clear the coordinates; `host locate` places the host again.' }),
  }

  async run(): Promise<{ host: string; latitude: number | null; longitude: number | null; manual: boolean }> {
    const { args, flags } = await this.parse(HostCoordinates)
    const { sql } = await this.db()
    const number = (text?: string) => (text === undefined || text.trim() === '' ? undefined : Number(text))
    const result = await setHostCoordinates(sql, args.host, { latitude: number(flags.latitude), longitude: number(flags.longitude), auto: flags.auto })
    this.log(result.manual ? `${result.host}: ${result.latitude}, ${result.longitude} (set by hand)` : `${result.host}: placed by host locate`)
    return result
  }
}
