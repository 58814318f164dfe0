import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { updateArch, type Arch } from '../../lib/catalog/arches.js'

export default class ArchUpdate extends AdminCommand {
  static override summary = 'Rename an arch or change its public-list and primary flags.'
  static override description = 'Only the fields given change. Renaming to a name that exists fails with exit status 6.'
  static override examples = [
    { description: 'Rename', command: '<%= config.bin %> <%= command.id %> armhfp --name armv7hl' },
    { description: 'Hide from the public mirror list', command: '<%= config.bin %> <%= command.id %> i386 --no-publiclist' },
  ]
  static override args = { name: Args.string({ description: 'Arch name, or its numeric id (see list).', required: true }) }
  static override flags = {
    name: Flags.string({ summary: 'New name.' }),
    publiclist: Flags.boolean({ summary: 'Show the arch on the public mirror list.', allowNo: true }),
    'primary-arch': Flags.boolean({ summary: 'Whether it is a primary arch.', allowNo: true }),
  }

  async run(): Promise<Arch> {
    const { args, flags } = await this.parse(ArchUpdate)
    const arch = await updateArch(await this.sql(), args.name, { name: flags.name, publiclist: flags.publiclist, primaryArch: flags['primary-arch'] })
    this.showRecord(arch)
    return arch
  }
}
