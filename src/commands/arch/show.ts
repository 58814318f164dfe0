import * as Args from '@oclif/core/args'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { getArch, type Arch } from '../../lib/catalog/arches.js'

export default class ArchShow extends AdminCommand {
  static override summary = 'Show one CPU architecture.'
  static override description = 'Prints the arch\'s fields; exit status 5 if there is no such arch.'
  static override examples = [
    { description: 'Show x86_64', command: '<%= config.bin %> <%= command.id %> x86_64' },
    { description: 'As JSON', command: '<%= config.bin %> <%= command.id %> aarch64 --json' },
  ]
  static override args = { name: Args.string({ description: 'Arch name, or its numeric id (see list).', required: true }) }

  async run(): Promise<Arch> {
    const { args } = await this.parse(ArchShow)
    const arch = await getArch(await this.sql(), args.name)
    this.showRecord(arch)
    return arch
  }
}
