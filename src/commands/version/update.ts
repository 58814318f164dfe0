import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { productFlag, versionFields, versionFlags } from '../../lib/cli/admin-flags.js'
import { updateVersion, type Version } from '../../lib/catalog/versions.js'

export default class VersionUpdate extends AdminCommand {
  static override summary = 'Change a version: name, test flag, display name, sort order, code name.'
  static override description = 'Only the fields given change. Renaming to a name the product already has fails with exit status 6.'
  static override examples = [
    { description: 'Fedora 42 is released: no longer a test version', command: '<%= config.bin %> <%= command.id %> 42 --product Fedora --no-is-test' },
    { description: 'Keep mirror lists in preference order', command: '<%= config.bin %> <%= command.id %> 9 --product EPEL --ordered-mirrorlist' },
  ]
  static override args = { name: Args.string({ description: 'Version name, or its numeric id (see list).', required: true }) }
  static override flags = { product: productFlag, name: Flags.string({ summary: 'New name.' }), ...versionFlags }

  async run(): Promise<Version> {
    const { args, flags } = await this.parse(VersionUpdate)
    const version = await updateVersion(await this.sql(), flags.product, args.name, { name: flags.name, ...versionFields(flags) })
    this.showRecord(version)
    return version
  }
}
