import * as Flags from '@oclif/core/flags'
import { hostSelection, hostSelectionFlags } from '../../lib/cli/crawl-flags.js'
import { DatabaseCommand } from '../../lib/cli/database-command.js'
import { renderRecord } from '../../lib/cli/table.js'
import { startRound, type StartedRound } from '../../lib/crawl/rounds.js'

export default class CrawlStart extends DatabaseCommand {
  static override summary = 'Open a crawl round for `crawl --worker` processes to share.'
  static override description = `Selects the hosts as \`crawl\` would (the same filters; slowest first) and stores one work row per host in a new round, in one transaction. Any number of \`crawl --worker\` processes, on any machines using the same PostgreSQL server, then crawl it together. Only one round is open at a time: while one is, \`crawl start\` fails with exit status 6 unless --force, which cancels the open round first. A round that selects no host is done at once.

Works on the embedded database too (a round can be inspected with \`crawl status\`), but only a PostgreSQL server can run workers.`
  static override examples = [
    { description: 'A round over every public, active host', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'European mirrors only, repodata directories, replacing a round left open', command: '<%= config.bin %> <%= command.id %> --continent EU --repodata --force --json' },
  ]

  static override flags = {
    ...hostSelectionFlags,
    force: Flags.boolean({ summary: 'Cancel the open round, if any, and start a new one.' }),
  }

  async run(): Promise<StartedRound> {
    const { flags } = await this.parse(CrawlStart)
    const started = await startRound(await this.db(), { filters: hostSelection(flags), force: flags.force })
    const record: [string, unknown][] = [['round', started.round], ['hosts', started.hosts]]
    if (started.cancelledRound !== null) record.push(['cancelled round', started.cancelledRound])
    this.log(renderRecord(record))
    return started
  }
}
