import { Flags } from '@oclif/core'
import { DatabaseCommand } from '../lib/cli/database-command.js'
import { renderRecord } from '../lib/cli/table.js'
import { runCrawl } from '../lib/crawl/run-crawl.js'
import { parseFraction } from '../lib/crawl/select-hosts.js'
import { summaryRecord, type CrawlSummary } from '../lib/crawl/summary.js'
import { ExitStatus } from '../lib/errors.js'

export default class Crawl extends DatabaseCommand {
  static override summary = 'Check every mirror against the master tree and store which directories are up to date.'
  static override description = `For each public, active host and each of its categories, decides per directory whether the mirror matches the master, using the cheapest protocol that answers: the mirror's fullfiletimelist (one request per category, verified by fetching every repomd.xml), one rsync listing, HEAD per file over HTTP(S), or LIST per directory over FTP. Directories not confirmed after a full crawl of a category are marked not up to date; a host that fails 4 times in a row is disabled (crawl.disable_after).

Exit status: 0 when every host was crawled successfully, 8 (partial failure) when some hosts failed, were unreachable or timed out (the summary, or --json, says which).`
  static override examples = [
    { description: 'The nightly cron job: 50 hosts at once, summary for the log', command: '<%= config.bin %> <%= command.id %> --threads 50 --json' },
    { description: 'Second crawler machine of two', command: '<%= config.bin %> <%= command.id %> --threads 50 --fraction 2:2' },
    { description: 'Only repodata directories of European mirrors, without writing anything', command: '<%= config.bin %> <%= command.id %> --repodata --continent EU --dry-run' },
  ]

  static override flags = {
    threads: Flags.integer({ summary: 'Hosts crawled at once.', default: 10, min: 1, max: 1000 }),
    startid: Flags.integer({ summary: 'Only hosts with an id at least this.', min: 0 }),
    stopid: Flags.integer({ summary: 'Only hosts with an id below this (exclusive).', min: 1 }),
    fraction: Flags.string({ summary: 'K:N — this is crawler K of N; each host goes to exactly one crawler (by id).' }),
    category: Flags.string({ summary: 'Only this category (repeatable).', multiple: true }),
    continent: Flags.string({ summary: 'Only hosts on this continent (repeatable); ^EU excludes Europe.', multiple: true }),
    host: Flags.string({ summary: 'Only this host, by name or id (repeatable).', multiple: true }),
    'include-private': Flags.boolean({ summary: 'Crawl private hosts and private URLs too.' }),
    'include-disabled': Flags.boolean({ summary: 'Crawl disabled hosts too (a host the crawler disabled is re-enabled when it passes).' }),
    'host-timeout': Flags.integer({ summary: 'Seconds one host may take; then it counts as timed out.', default: 1800, min: 1 }),
    'global-timeout': Flags.integer({ summary: 'Seconds the whole run may take; hosts still running then time out.', default: 21600, min: 1 }),
    canary: Flags.boolean({ summary: "Only check that each category's base URL answers.", exclusive: ['repodata'] }),
    repodata: Flags.boolean({ summary: 'Only check the */repodata directories.' }),
    'dry-run': Flags.boolean({ summary: 'Crawl, but write nothing to the database.' }),
  }

  async run(): Promise<CrawlSummary> {
    const { flags } = await this.parse(Crawl)
    const database = await this.db()
    const summary = await runCrawl(database, this.mmConfig, {
      threads: flags.threads,
      startId: flags.startid,
      stopId: flags.stopid,
      fraction: flags.fraction === undefined ? undefined : parseFraction(flags.fraction),
      categories: flags.category,
      continents: flags.continent,
      hosts: flags.host,
      includePrivate: flags['include-private'],
      includeDisabled: flags['include-disabled'],
      hostTimeoutSeconds: flags['host-timeout'],
      globalTimeoutSeconds: flags['global-timeout'],
      mode: flags.canary ? 'canary' : flags.repodata ? 'repodata' : 'full',
      dryRun: flags['dry-run'],
      progress: process.stderr.isTTY && !this.jsonEnabled() ? 'listr' : 'none',
    }, this.logger)
    if (!this.jsonEnabled()) this.log(renderRecord(summaryRecord(summary)))
    const failed = summary.hosts.total - summary.hosts.ok
    if (failed === 0) return summary
    if (this.jsonEnabled()) this.logJson(summary)
    this.logToStderr(`Error: ${failed} of ${summary.hosts.total} hosts failed, were unreachable or timed out\nCode: MM_PARTIAL_FAILURE`)
    return this.exit(ExitStatus.partialFailure)
  }
}
