import * as Flags from '@oclif/core/flags'
import { DatabaseCommand } from '../../lib/cli/database-command.js'
import { renderRecord, renderTable } from '../../lib/cli/table.js'
import { roundStatus, type RoundStatus, type WorkerCounts } from '../../lib/crawl/rounds.js'

export default class CrawlStatus extends DatabaseCommand {
  static override summary = 'Show the progress of a crawl round, per state and per worker.'
  static override description = `For the newest round (or --round): its state (open, done, cancelled), how many hosts are waiting, leased, done (crawled, ok) and failed (crawled with another result, or given up after 3 expired leases), how many leases expired and were taken over, and per worker the hosts it holds, has done, has failed, took over, and lost.`
  static override examples = [
    { description: 'Progress of the current round', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'An older round, for a script', command: '<%= config.bin %> <%= command.id %> --round 12 --json' },
  ]

  static override flags = {
    round: Flags.integer({ summary: 'The round to show (default: the newest).', min: 1 }),
  }

  async run(): Promise<RoundStatus> {
    const { flags } = await this.parse(CrawlStatus)
    const status = await roundStatus(await this.db(), { round: flags.round })
    const { round, hosts } = status
    this.log(
      renderRecord([
        ['round', `${round.id} (${round.state}, started ${round.created.toISOString()})`],
        ['hosts', hosts.total],
        ['waiting', hosts.waiting],
        ['leased', `${hosts.leased}${hosts.expiredLeases ? ` (${hosts.expiredLeases} expired)` : ''}`],
        ['done', hosts.done],
        ['failed', hosts.failed],
        ['takeovers', status.takeovers],
      ]),
    )
    if (status.workers.length > 0) {
      this.log('')
      this.log(
        renderTable(
          [
            { header: 'worker', value: (w: WorkerCounts) => w.worker },
            { header: 'leased', value: (w) => w.leased },
            { header: 'done', value: (w) => w.done },
            { header: 'failed', value: (w) => w.failed },
            { header: 'took over', value: (w) => w.takeovers },
            { header: 'lost', value: (w) => w.lost },
          ],
          status.workers,
        ),
      )
    }
    return status
  }
}
