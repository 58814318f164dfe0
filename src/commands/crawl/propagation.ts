import * as Flags from '@oclif/core/flags'
import { DatabaseCommand } from '../../lib/cli/database-command.js'
import { renderTable } from '../../lib/cli/table.js'
import { runPropagation, type PropagationRow } from '../../lib/crawl/propagation.js'

export default class CrawlPropagation extends DatabaseCommand {
  static override summary = "Measure how far behind the master each mirror's updates repositories are."
  static override description = `For every enabled repository of a current (displayed, non-test) release whose prefix matches --prefix, fetches repodata/repomd.xml from every active public mirror carrying it, and counts mirrors whose copy is the master's newest (same day), 1 or 2 days older, older still, or unknown (unreachable, or no stored version matches). One row per repository is stored in propagation_stat per run.`
  static override examples = [
    { description: 'Fedora updates repositories, the daily cron job', command: '<%= config.bin %> <%= command.id %> --threads 50 --json' },
    { description: 'EPEL too, without storing the result', command: "<%= config.bin %> <%= command.id %> --prefix 'updates-released-*' --prefix 'epel-*' --dry-run" },
  ]

  static override flags = {
    threads: Flags.integer({ summary: 'Mirrors asked at once (one connection each).', default: 20, min: 1, max: 1000 }),
    prefix: Flags.string({ summary: 'Repository prefixes to measure, * as wildcard (repeatable).', multiple: true, default: ['updates-released-*'] }),
    'dry-run': Flags.boolean({ summary: 'Measure, but store nothing.' }),
  }

  async run(): Promise<{ datetime: string; repositories: PropagationRow[] }> {
    const { flags } = await this.parse(CrawlPropagation)
    const result = await runPropagation(await this.db(), {
      config: this.mmConfig,
      threads: flags.threads,
      prefixes: flags.prefix,
      dryRun: flags['dry-run'],
      logger: this.logger,
    })
    this.log(
      renderTable(
        [
          { header: 'repository', value: (r: PropagationRow) => r.prefix },
          { header: 'arch', value: (r) => r.arch },
          { header: 'same day', value: (r) => r.sameDay },
          { header: '1 day', value: (r) => r.oneDay },
          { header: '2 days', value: (r) => r.twoDay },
          { header: 'older', value: (r) => r.older },
          { header: 'unknown', value: (r) => r.noInfo },
        ],
        result.repositories,
      ),
    )
    return { datetime: result.datetime.toISOString(), repositories: result.repositories }
  }
}
