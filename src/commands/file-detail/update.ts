import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { DatabaseCommand } from '../../lib/cli/database-command.js'
import { updateFileDetail, type UpdateFileDetailResult } from '../../lib/file-detail/update-file-detail.js'
import { loadUmdlConfig } from '../../lib/umdl/config.js'

export default class FileDetailUpdate extends DatabaseCommand {
  static override summary = 'Recompute one file\'s details (size, hashes, timestamp) from the master tree now.'
  static override description = `For a push of a single repomd.xml (or any checked file) without waiting for the next umdl run: PATH is the file on disk, under the top of a [[umdl.category]] directory source (or a fullfiletimelist source's content root). Its size, md5, sha1, sha256, sha512 and timestamp (a repomd.xml's newest data timestamp, else the modification time) are stored as a new file detail when they differ from every stored one. Run generate-snapshot afterwards to publish it.

One transaction. Exit status 5 when PATH is outside every category, or its directory is not in the database yet (run umdl first).`
  static override examples = [
    {
      description: 'After pushing new updates metadata',
      command: '<%= config.bin %> <%= command.id %> /srv/pub/fedora/linux/updates/41/Everything/x86_64/repodata/repomd.xml',
    },
    { description: 'Only look in one category, as JSON', command: '<%= config.bin %> <%= command.id %> --category "Fedora EPEL" /srv/pub/epel/9/Everything/x86_64/repodata/repomd.xml --json' },
  ]

  static override args = { path: Args.string({ description: 'The file on disk, in the master tree.', required: true }) }
  static override flags = {
    category: Flags.string({ summary: 'Only this category (repeatable). Default: every configured one.', multiple: true }),
  }

  async run(): Promise<UpdateFileDetailResult> {
    const { args, flags } = await this.parse(FileDetailUpdate)
    const umdl = loadUmdlConfig(this.mmConfig)
    const database = await this.db()
    const result = await updateFileDetail(database.sql, umdl.categories, { path: args.path, categories: flags.category })
    this.logger.info(`${result.directory}/${result.filename}: ${result.created ? 'new file detail stored' : 'unchanged (an identical detail is stored)'}, timestamp ${result.timestamp}, sha256 ${result.detail.sha256}`)
    return result
  }
}
