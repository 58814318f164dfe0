import * as Flags from '@oclif/core/flags'
import { hostSelection, hostSelectionFlags } from '../lib/cli/crawl-flags.js'
import { listrCrawlProgress } from '../lib/cli/crawl-progress.js'
import { DatabaseCommand } from '../lib/cli/database-command.js'
import { renderRecord } from '../lib/cli/table.js'
import { runCrawl } from '../lib/crawl/run-crawl.js'
import { crawlFailure, summaryRecord, type CrawlSummary } from '../lib/crawl/summary.js'
import { runCrawlWorker, type CrawlWorkerSummary } from '../lib/crawl/worker.js'

const SELECTION = Object.keys(hostSelectionFlags)

export default class Crawl extends DatabaseCommand {
  static override summary = 'Check every mirror against the master tree and store which directories are up to date.'
  static override description = `For each public, active host and each of its categories, decides per directory whether the mirror matches the master, using the cheapest protocol that answers: the mirror's fullfiletimelist (one request per category, verified by fetching every repomd.xml), one rsync listing, HEAD per file over HTTP(S), or LIST per directory over FTP. Directories not confirmed after a full crawl of a category are marked not up to date; a host that fails 4 times in a row is disabled (crawl.disable_after).

With --worker (PostgreSQL only), this process is one of any number of workers crawling the round that \`crawl start\` opened: each host is leased to one worker, and a worker that dies loses its hosts to the others when its leases expire. The worker exits when the round has no host waiting or leased; --follow keeps it waiting for the next round. See \`crawl start\`, \`crawl status\`.

Exit status: 0 when every host was crawled successfully, 8 (partial failure) when some hosts failed, were unreachable or timed out (the summary says which; with --json it is error.details). A worker exits 0 once its round is finished, whatever the hosts' results (\`crawl status\` has them).`
  static override examples = [
    { description: 'The nightly cron job: 50 hosts at once, summary for the log', command: '<%= config.bin %> <%= command.id %> --threads 50 --json' },
    { description: 'Second crawler machine of two', command: '<%= config.bin %> <%= command.id %> --threads 50 --fraction 2:2' },
    { description: 'Only repodata directories of European mirrors, without writing anything', command: '<%= config.bin %> <%= command.id %> --repodata --continent EU --dry-run' },
    { description: 'One of several workers sharing the open round through PostgreSQL', command: '<%= config.bin %> <%= command.id %> --worker --threads 50 --database-url postgres://mm@db/mirrormanager' },
  ]

  static override flags = {
    threads: Flags.integer({ summary: 'Hosts crawled at once.', default: 10, min: 1, max: 1000 }),
    ...hostSelectionFlags,
    'host-timeout': Flags.integer({ summary: 'Seconds one host may take; then it counts as timed out.', default: 1800, min: 1 }),
    'global-timeout': Flags.integer({ summary: 'Seconds the whole run may take; hosts still running then time out.', default: 21600, min: 1 }),
    'dry-run': Flags.boolean({ summary: 'Crawl, but write nothing to the database.' }),
    worker: Flags.boolean({
      summary: 'Work on the open crawl round with other workers (PostgreSQL only); its hosts come from `crawl start`.',
      exclusive: [...SELECTION, 'dry-run', 'global-timeout'],
    }),
    follow: Flags.boolean({ summary: 'With --worker: keep running, waiting for the next round.', dependsOn: ['worker'] }),
    'lease-seconds': Flags.integer({
      summary: 'With --worker: seconds a claimed host stays ours without renewal (renewed every third of it). Default: 60.',
      min: 3,
      dependsOn: ['worker'],
    }),
  }

  async run(): Promise<CrawlSummary | CrawlWorkerSummary> {
    const { flags } = await this.parse(Crawl)
    const database = await this.db()
    if (flags.worker) {
      const stop = new AbortController()
      const onSignal = () => stop.abort(new Error('stopping'))
      process.once('SIGTERM', onSignal).once('SIGINT', onSignal)
      const summary = await runCrawlWorker(database, {
        config: this.mmConfig,
        logger: this.logger,
        threads: flags.threads,
        leaseSeconds: flags['lease-seconds'] ?? 60,
        hostTimeoutSeconds: flags['host-timeout'],
        follow: flags.follow,
        signal: stop.signal,
      }).finally(() => process.off('SIGTERM', onSignal).off('SIGINT', onSignal))
      this.log(renderRecord([['worker', summary.worker], ['rounds', summary.rounds.join(', ') || 'none'], ...summaryRecord(summary), ['leases lost', summary.leasesLost]]))
      return summary
    }
    const summary = await runCrawl(database, {
      config: this.mmConfig,
      logger: this.logger,
      threads: flags.threads,
      ...hostSelection(flags),
      hostTimeoutSeconds: flags['host-timeout'],
      globalTimeoutSeconds: flags['global-timeout'],
      dryRun: flags['dry-run'],
      progress: process.stderr.isTTY && !this.jsonEnabled() ? listrCrawlProgress() : undefined,
    })
    this.log(renderRecord(summaryRecord(summary)))
    const failure = crawlFailure(summary)
    if (failure) throw failure
    return summary
  }
}
