import { DatabaseCommand } from '../../lib/cli/database-command.js'
import { renderRecord } from '../../lib/cli/table.js'
import { cancelRound } from '../../lib/crawl/rounds.js'

export default class CrawlCancel extends DatabaseCommand {
  static override summary = 'Cancel the open crawl round.'
  static override description = `Workers stop claiming hosts of the round at once; a crawl in flight is abandoned at its next lease renewal (within a third of --lease-seconds) and its results are not stored. Hosts already crawled keep their results. Exit status 5 when no round is open.`
  static override examples = [
    { description: 'Stop the round the workers are crawling', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'The same, for a script', command: '<%= config.bin %> <%= command.id %> --json' },
  ]

  async run(): Promise<{ round: number; left: number }> {
    await this.parse(CrawlCancel)
    const cancelled = await cancelRound(await this.db())
    this.log(renderRecord([['cancelled round', cancelled.round], ['hosts not crawled', cancelled.left]]))
    return cancelled
  }
}
