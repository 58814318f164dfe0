import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { DatabaseCommand } from '../../lib/cli/database-command.js'
import { readCrawlLog, type CrawlLogEntry } from '../../lib/crawl/crawl-log.js'
import { HOST_REFERENCE_HELP, resolveHost } from '../../lib/hosts/host-ref.js'

export default class HostCrawlLog extends DatabaseCommand {
  static override summary = "Show a host's recent crawls: result, and per category what was found."
  static override description = `Newest first. Each entry has the crawl's result (ok, failure, timeout, unreachable), its mode (full, canary, repodata) and a line per category: the protocol that answered and how many directories were up to date or stale, or why every protocol failed. --json adds per-family (IPv4/IPv6) reachability and request counts.`
  static override examples = [
    { description: 'The last crawls of a host', command: '<%= config.bin %> <%= command.id %> mirror.example.edu' },
    { description: 'The last 3 crawls, for a script', command: '<%= config.bin %> <%= command.id %> "Example University/mirror.example.edu" --limit 3 --json' },
  ]

  static override args = { host: Args.string({ description: HOST_REFERENCE_HELP, required: true }) }
  static override flags = { limit: Flags.integer({ summary: 'Entries to show.', default: 10, min: 1 }) }

  async run(): Promise<{ host: { id: number; site: string; name: string }; entries: CrawlLogEntry[] }> {
    const { args, flags } = await this.parse(HostCrawlLog)
    const { sql } = await this.db()
    const host = await resolveHost(sql, args.host)
    const entries = await readCrawlLog(sql, host.id, flags.limit)
    if (entries.length === 0) this.log(`${host.site}/${host.name}: never crawled`)
    for (const entry of entries) {
      const seconds = Math.round((entry.finished.getTime() - entry.started.getTime()) / 1000)
      this.log(`${entry.started.toISOString()}  ${entry.result}  (${entry.mode}, ${seconds} s)`)
      for (const line of entry.summary.split('\n').filter(Boolean)) this.log(`  ${line}`)
    }
    return { host, entries }
  }
}
