import * as Args from '@oclif/core/args'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { productFlag } from '../../lib/cli/admin-flags.js'
import { removeVersion, type Version } from '../../lib/catalog/versions.js'

export default class VersionRemove extends AdminCommand {
  static override summary = 'Remove a version of a product.'
  static override description = 'Refused (exit status 6) while repositories belong to the version; archive or remove those first.'
  static override examples = [
    { description: 'Remove a version added by mistake', command: '<%= config.bin %> <%= command.id %> 14 --product Fedora' },
    { description: 'In a script', command: '<%= config.bin %> <%= command.id %> 8 --product EPEL --json' },
  ]
  static override args = { name: Args.string({ description: 'Version name, or its numeric id (see list).', required: true }) }
  static override flags = { product: productFlag }

  async run(): Promise<{ removed: Version }> {
    const { args, flags } = await this.parse(VersionRemove)
    const removed = await removeVersion(await this.sql(), flags.product, args.name)
    this.log(`removed version "${removed.name}" of "${removed.product}"`)
    return { removed }
  }
}
