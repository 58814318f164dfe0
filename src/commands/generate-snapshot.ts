import * as Flags from '@oclif/core/flags'
import { DatabaseCommand } from '../lib/cli/database-command.js'
import { renderRecord } from '../lib/cli/table.js'
import { generateSnapshot, type GenerateSummary } from '../lib/snapshot/generate.js'

export default class GenerateSnapshot extends DatabaseCommand {
  static override summary = 'Write the mirrorlist snapshot that serve-mirrorlist answers from.'
  static override description =
    'Reads hosts, URLs, directories, repositories and file details from the database in one consistent ' +
    'transaction and writes an Avro snapshot (deflate). The file is written under a temporary name and renamed; ' +
    'the previous snapshot is kept as <file>.old for rollback. A snapshot with far fewer hosts, directories or ' +
    'repositories than the previous one (less than half, or none) is not installed unless --force is given. ' +
    'Netblocks given as DNS names are resolved now. Run it from cron after each crawl; serve-mirrorlist picks the ' +
    'new file up on SIGHUP or with --watch.'
  static override examples = [
    { description: 'Write the default snapshot file', command: '<%= config.bin %> <%= command.id %>' },
    {
      description: 'Write to a chosen file and print a summary for scripts',
      command: '<%= config.bin %> <%= command.id %> -o /var/lib/mirrormanager/mirrorlist.avro --json',
    },
    { description: 'Install even though the network shrank on purpose', command: '<%= config.bin %> <%= command.id %> --force' },
  ]

  static override flags = {
    output: Flags.string({ char: 'o', summary: 'Snapshot file to write. Default: snapshot.file ($MM_SNAPSHOT_FILE).' }),
    force: Flags.boolean({ summary: 'Install the snapshot even when it is much smaller than the previous one.' }),
  }

  protected override configFlags(flags: Record<string, unknown>) {
    return { ...super.configFlags(flags), 'snapshot.file': flags.output }
  }

  async run(): Promise<GenerateSummary> {
    const { flags } = await this.parse(GenerateSnapshot)
    const database = await this.db()
    const summary = await generateSnapshot(database, {
      output: this.mmConfig.get('snapshot.file'),
      force: flags.force,
      logger: this.logger,
    })
    if (!this.jsonEnabled()) this.log(renderRecord(Object.entries(summary)))
    return summary
  }
}
