import * as Flags from '@oclif/core/flags'
import { DatabaseCommand } from '../lib/cli/database-command.js'
import { PartialFailureError } from '../lib/errors.js'
import { listrTaskRunner } from '../lib/cli/umdl-progress.js'
import { renderUmdlSources, renderUmdlSummary } from '../lib/cli/umdl-render.js'
import { listUmdlSources, type ConfiguredCategory } from '../lib/umdl/list-sources.js'
import { updateMasterDirectoryList } from '../lib/umdl/run.js'
import type { UmdlSummary } from '../lib/umdl/summary.js'

export default class Umdl extends DatabaseCommand {
  static override aliases = ['update-master-directory-list']
  static override summary = 'Scan the master tree: directories, file details, repositories, new releases.'
  static override description = `Reads each category's sources from the [[umdl.category]] entries of the config file (a local directory such as an NFS mount of the master, an rsync URL, or a fullfiletimelist) and updates the database: directories and their ctimes, readable flags, short file lists, file details of repomd.xml and checksummed files (old ones aged after umdl.file_detail_days), repositories and new versions.

Only directories whose ctime changed are read again: an unchanged tree costs one stat per directory. A source that cannot be read (unmounted, rsync failure, truncated list) fails its category without changing it; the others still run (exit status 8). Only one umdl runs per database at a time (exit status 11 for the second). Each category's changes are committed in one transaction.

At a terminal it shows progress and a summary; otherwise (cron) it prints nothing unless something failed.`
  static override examples = [
    { description: 'Scan every configured category (from cron)', command: '<%= config.bin %> <%= command.id %> --config /etc/mirrormanager/mirrormanager.toml' },
    { description: 'Only Fedora Linux, removing directories gone from the master', command: '<%= config.bin %> <%= command.id %> --category "Fedora Linux" --delete-directories' },
    { description: 'Everything but the archive, as JSON, without writing', command: '<%= config.bin %> <%= command.id %> --category "^Fedora Archive" --dry-run --json' },
    { description: 'Show the configured categories and their sources', command: '<%= config.bin %> <%= command.id %> --list' },
  ]

  static override flags = {
    category: Flags.string({ summary: 'Only this category (repeatable); ^NAME leaves one out.', multiple: true }),
    list: Flags.boolean({ summary: 'Show the configured categories and their sources, and exit.' }),
    'delete-directories': Flags.boolean({ summary: 'Delete directories that are gone from the master (with everything referencing them).' }),
    'dry-run': Flags.boolean({ summary: 'Do all the work, report it, and roll it back.' }),
  }

  async run(): Promise<UmdlSummary | { categories: ConfiguredCategory[] }> {
    const { flags } = await this.parse(Umdl)
    if (flags.list) {
      const categories = listUmdlSources(this.mmConfig)
      if (!this.jsonEnabled()) this.log(renderUmdlSources(categories))
      return { categories }
    }
    const interactive = Boolean(process.stdout.isTTY) && !this.jsonEnabled()
    const summary = await updateMasterDirectoryList(await this.db(), {
      config: this.mmConfig,
      categories: flags.category,
      deleteDirectories: flags['delete-directories'],
      dryRun: flags['dry-run'],
      logger: this.logger,
      runTasks: interactive ? listrTaskRunner() : undefined,
    }).catch((error) => {
      // Some categories failed: people still get the table of what the others did.
      if (interactive && error instanceof PartialFailureError && error.details) this.log(renderUmdlSummary(error.details as unknown as UmdlSummary))
      throw error
    })
    if (interactive) this.log(renderUmdlSummary(summary))
    return summary
  }
}
