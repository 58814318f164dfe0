import * as Args from '@oclif/core/args'
import { DatabaseCommand } from '../../lib/cli/database-command.js'
import { ingestAccessLogs, type IngestResult } from '../../lib/stats/ingest.js'

export default class StatsIngest extends DatabaseCommand {
  static override summary = 'Add the requests of serve-mirrorlist access logs to the daily statistics.'
  static override description = `Reads each LOG (plain, rotated or gzip-compressed) from where the previous run stopped and adds its lines to the per-day request counts by country, architecture, repository and category shown at /statistics. A file is recognised by its inode, or when it was compressed or copied by its first bytes, so running this hourly from cron over the current and rotated logs counts every line exactly once. Malformed lines are counted, reported and skipped. Lines are dated by their DATE field (UTC); clients in embargoed countries are counted as "embargoed", clients the server could not place as "N/A".`
  static override examples = [
    { description: 'Hourly from cron, over the live log and the one logrotate renamed', command: '<%= config.bin %> <%= command.id %> /var/log/mirrormanager/access.log /var/log/mirrormanager/access.log.1' },
    { description: 'Old compressed logs once, for a script', command: '<%= config.bin %> <%= command.id %> /var/log/mirrormanager/access.log.*.gz --json' },
  ]
  static override strict = false
  static override args = { log: Args.string({ description: 'Access log files (serve-mirrorlist --log).', required: true }) }

  async run(): Promise<IngestResult> {
    const { argv } = await this.parse(StatsIngest)
    const { sql } = await this.db()
    const result = await ingestAccessLogs(sql, argv as string[])
    for (const file of result.files) {
      const seen = file.recognisedBy === 'new' ? 'new file' : `resumed at byte ${file.from} (by ${file.recognisedBy})`
      this.log(`${file.path}: ${file.lines} lines, ${file.malformed} malformed (${seen})`)
      if (file.malformed > 0) this.logger.warn(`${file.path}: ${file.malformed} malformed lines skipped`)
    }
    for (const day of result.days) this.log(`${day.date}: +${day.requests} requests`)
    return result
  }
}
