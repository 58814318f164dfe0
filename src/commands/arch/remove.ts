import * as Args from '@oclif/core/args'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { removeArch, type Arch } from '../../lib/catalog/arches.js'

export default class ArchRemove extends AdminCommand {
  static override summary = 'Remove a CPU architecture.'
  static override description = 'Refused (exit status 6) while repositories use the arch.'
  static override examples = [
    { description: 'Remove an arch added by mistake', command: '<%= config.bin %> <%= command.id %> x86-64' },
    { description: 'In a script', command: '<%= config.bin %> <%= command.id %> ppc64 --json' },
  ]
  static override args = { name: Args.string({ description: 'Arch name, or its numeric id (see list).', required: true }) }

  async run(): Promise<{ removed: Arch }> {
    const { args } = await this.parse(ArchRemove)
    const removed = await removeArch(await this.sql(), args.name)
    this.log(`removed arch "${removed.name}"`)
    return { removed }
  }
}
