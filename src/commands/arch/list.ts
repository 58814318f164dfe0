import { AdminCommand } from '../../lib/cli/admin-command.js'
import { listArches, type Arch } from '../../lib/catalog/arches.js'

export default class ArchList extends AdminCommand {
  static override summary = 'List CPU architectures.'
  static override description = 'Lists every arch with its id, whether it appears on the public mirror list and whether it is primary. With --json: an array of {id, name, publiclist, primaryArch}.'
  static override examples = [
    { description: 'As a table', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Primary arches only', command: "<%= config.bin %> <%= command.id %> --json | jq -r '.[] | select(.primaryArch) | .name'" },
  ]

  async run(): Promise<Arch[]> {
    await this.parse(ArchList)
    const arches = await listArches(await this.sql())
    this.showTable(
      [
        { header: 'id', value: (a: Arch) => a.id },
        { header: 'name', value: (a) => a.name },
        { header: 'publiclist', value: (a) => a.publiclist },
        { header: 'primary', value: (a) => a.primaryArch },
      ],
      arches,
      'no arches (add one with `mirrormanager arch add NAME`)',
    )
    return arches
  }
}
