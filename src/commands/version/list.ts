import * as Flags from '@oclif/core/flags'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { listVersions, type Version } from '../../lib/catalog/versions.js'

export default class VersionList extends AdminCommand {
  static override summary = 'List versions, of all products or of one.'
  static override description = 'Ordered by product, then sort order (highest first). With --json: an array of version objects.'
  static override examples = [
    { description: 'All versions', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Fedora\'s test versions, for a script', command: "<%= config.bin %> <%= command.id %> --product Fedora --json | jq -r '.[] | select(.isTest) | .name'" },
  ]
  static override flags = { product: Flags.string({ summary: 'Only this product\'s versions.' }) }

  async run(): Promise<Version[]> {
    const { flags } = await this.parse(VersionList)
    const versions = await listVersions(await this.sql(), flags.product)
    this.showTable(
      [
        { header: 'id', value: (v: Version) => v.id },
        { header: 'product', value: (v) => v.product },
        { header: 'name', value: (v) => v.name },
        { header: 'display name', value: (v) => v.displayName },
        { header: 'test', value: (v) => v.isTest },
        { header: 'sortorder', value: (v) => v.sortorder },
        { header: 'codename', value: (v) => v.codename },
      ],
      versions,
      'no versions',
    )
    return versions
  }
}
