import * as Flags from '@oclif/core/flags'
import { DatabaseCommand } from '../../lib/cli/database-command.js'
import { expireStatistics, type ExpireResult } from '../../lib/stats/expire.js'

export default class StatsExpire extends DatabaseCommand {
  static override summary = 'Forget access statistics (and propagation measurements) older than N days.'
  static override description = `Keeps the per-day request counts of today and the --days − 1 days before it (UTC) and deletes older ones. With --propagation-days, also deletes propagation measurements (crawl propagation) older than that many days. MirrorManager2 kept 30 days of access statistics and 7 of propagation.`
  static override examples = [
    { description: 'Keep 30 days of statistics, the daily cron job', command: '<%= config.bin %> <%= command.id %> --days 30' },
    { description: 'Also keep one week of propagation measurements', command: '<%= config.bin %> <%= command.id %> --days 90 --propagation-days 7 --json' },
  ]
  static override flags = {
    days: Flags.integer({ summary: 'Keep the statistics of this many past days.', default: 30, min: 0 }),
    'propagation-days': Flags.integer({ summary: 'Also delete propagation measurements older than this many days.', min: 0 }),
  }

  async run(): Promise<ExpireResult> {
    const { flags } = await this.parse(StatsExpire)
    const { sql } = await this.db()
    const result = await expireStatistics(sql, { days: flags.days, propagationDays: flags['propagation-days'] })
    this.log(`deleted ${result.accessStats} statistics rows of ${result.days} days, ${result.propagationStats} propagation measurements`)
    return result
  }
}
