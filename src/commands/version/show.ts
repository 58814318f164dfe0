import * as Args from '@oclif/core/args'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { productFlag } from '../../lib/cli/admin-flags.js'
import { getVersion, type Version } from '../../lib/catalog/versions.js'

export default class VersionShow extends AdminCommand {
  static override summary = 'Show one version of a product.'
  static override description = 'Prints the version\'s fields; exit status 5 if the product or version does not exist.'
  static override examples = [
    { description: 'Show Fedora 41', command: '<%= config.bin %> <%= command.id %> 41 --product Fedora' },
    { description: 'As JSON', command: '<%= config.bin %> <%= command.id %> 9 --product EPEL --json' },
  ]
  static override args = { name: Args.string({ description: 'Version name, or its numeric id (see list).', required: true }) }
  static override flags = { product: productFlag }

  async run(): Promise<Version> {
    const { args, flags } = await this.parse(VersionShow)
    const version = await getVersion(await this.sql(), flags.product, args.name)
    this.showRecord(version)
    return version
  }
}
