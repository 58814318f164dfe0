import * as Flags from '@oclif/core/flags'
import { DatabaseCommand } from '../lib/cli/database-command.js'
import { importMm2, type ImportMm2Result } from '../lib/import-mm2/import-mm2.js'
import { renderImportSummary } from '../lib/cli/import-mm2-render.js'

export default class ImportMm2 extends DatabaseCommand {
  static override summary = 'Copy a MirrorManager2 database into this one.'
  static override description = `Reads a MirrorManager2 PostgreSQL database (read-only, one connection, one consistent snapshot) and copies everything a user would miss into ours, in one transaction: products, versions, arches, categories and their directories (with file lists), sites (plain-text passwords are hashed), site admins, hosts with their netblocks, peer ASNs, allowed countries and ACLs, host categories, URLs and per-directory up-to-date state, repositories, file details with their history, redirects, embargoed countries, netblock countries, propagation and access statistics. Ids are kept, so hosts and sites keep their numbers.

Netblocks written as ip/dotted-netmask become CIDR, bare addresses /32 or /128; DNS names are kept (resolved when the snapshot is generated). Pickled legacy file lists and rows that cannot be imported are skipped and listed in the summary, with the legacy tables that are not imported.

A target that already holds data is refused (exit status 6) unless --replace, which empties it in the same transaction. Re-running with --replace gives the same result. --dry-run does the whole import and rolls it back.`
  static override examples = [
    { description: 'Import into the embedded database, see what would happen first', command: '<%= config.bin %> <%= command.id %> --from postgres://mirrormanager@db.example.org/mirrormanager --dry-run' },
    { description: 'Re-import into a PostgreSQL server, replacing what is there', command: 'DATABASE_URL=postgres://mm@localhost/mm <%= config.bin %> <%= command.id %> --from postgres://mirrormanager@old-db/mirrormanager --replace --json' },
  ]

  static override flags = {
    from: Flags.string({ summary: 'postgres:// URL of the MirrorManager2 database.', required: true }),
    replace: Flags.boolean({ summary: 'Empty a target that already holds data, then import.' }),
    'dry-run': Flags.boolean({ summary: 'Import in a transaction that is rolled back; report what would be imported.' }),
  }

  async run(): Promise<ImportMm2Result> {
    const { flags } = await this.parse(ImportMm2)
    const database = await this.db()
    const result = await importMm2(database.sql, {
      from: flags.from,
      replace: flags.replace,
      dryRun: flags['dry-run'],
      connectTimeoutSeconds: this.mmConfig.get('database.connect_timeout'),
      logger: this.logger,
    })
    this.log(renderImportSummary(result))
    return result
  }
}
