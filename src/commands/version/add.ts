import * as Args from '@oclif/core/args'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { productFlag, versionFields, versionFlags } from '../../lib/cli/admin-flags.js'
import { addVersion, type Version } from '../../lib/catalog/versions.js'

export default class VersionAdd extends AdminCommand {
  static override summary = 'Add a version (release) of a product.'
  static override description = `Version names are unique within their product (exit status 6 otherwise). Repositories found by umdl are attached to versions. A test version (--is-test) is a pre-release such as a beta; --sortorder decides the order on the public list (higher first).`
  static override examples = [
    { description: 'Add Fedora 41', command: '<%= config.bin %> <%= command.id %> 41 --product Fedora --display-name "Fedora 41" --sortorder 41' },
    { description: 'Add a test release', command: '<%= config.bin %> <%= command.id %> 42_Beta --product Fedora --is-test' },
  ]
  static override args = { name: Args.string({ description: 'Version name, e.g. 41 or rawhide.', required: true }) }
  static override flags = { product: productFlag, ...versionFlags }

  async run(): Promise<Version> {
    const { args, flags } = await this.parse(VersionAdd)
    const version = await addVersion(await this.sql(), flags.product, args.name, versionFields(flags))
    this.showRecord(version)
    return version
  }
}
