import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { addArch, type Arch } from '../../lib/catalog/arches.js'

export default class ArchAdd extends AdminCommand {
  static override summary = 'Add a CPU architecture (arches such as x86_64 are there from the start).'
  static override description = `Repositories are per arch; the usual arches (x86_64, aarch64, ppc64le, s390x, ...) are added by the first migration. Arch names are unique; adding an existing name fails with exit status 6 and changes nothing. A primary arch is listed first on the public mirror list.`
  static override examples = [
    { description: 'Add an arch', command: '<%= config.bin %> <%= command.id %> loongarch64' },
    { description: 'Add an arch kept off the public mirror list', command: '<%= config.bin %> <%= command.id %> mips64el --no-publiclist' },
  ]
  static override args = { name: Args.string({ description: 'Arch name.', required: true }) }
  static override flags = {
    publiclist: Flags.boolean({ summary: 'Show the arch on the public mirror list (default: yes).', allowNo: true }),
    'primary-arch': Flags.boolean({ summary: 'A primary arch (default: no).', allowNo: true }),
  }

  async run(): Promise<Arch> {
    const { args, flags } = await this.parse(ArchAdd)
    const arch = await addArch(await this.sql(), { name: args.name, publiclist: flags.publiclist, primaryArch: flags['primary-arch'] })
    this.showRecord(arch)
    return arch
  }
}
