/**
 * Runs the per-host work `threads` at a time, optionally with a listr2 display on the
 * terminal (one line per running host: its category and then its result). Without a
 * terminal (cron), nothing is drawn. The display writes to stderr: stdout is for the
 * summary and --json.
 */
import { Listr, ListrLogger, ProcessOutput } from 'listr2'
import { eachLimit } from './each-limit.js'
import type { CrawlHost, HostCrawlResult } from './types.js'

export type ProgressDisplay = 'listr' | 'none'

/** Returns null when the host was not crawled (global timeout reached before it started). */
type HostWork = (host: CrawlHost, step: (text: string) => void) => Promise<HostCrawlResult | null>

function describe(crawl: HostCrawlResult): string {
  const seconds = ((crawl.finished.getTime() - crawl.started.getTime()) / 1000).toFixed(1)
  let current = 0
  let stale = 0
  for (const category of crawl.categories) for (const verdict of category.verdicts.values()) verdict === 'up2date' ? current++ : stale++
  return `${crawl.host.name}: ${crawl.result} in ${seconds} s (${current} up to date, ${stale} stale)${crawl.disabled ? ', disabled' : ''}`
}

export async function runHosts(hosts: CrawlHost[], threads: number, display: ProgressDisplay, work: HostWork): Promise<void> {
  if (display === 'none' || hosts.length === 0) {
    await eachLimit(hosts, threads, async (host) => void (await work(host, () => {})))
    return
  }
  const output = new ProcessOutput(process.stderr, process.stderr)
  const listr = new Listr(
    hosts.map((host) => ({
      title: host.name,
      task: async (_: unknown, task: { title: string; output: string }) => {
        const crawl = await work(host, (text) => (task.output = text))
        if (!crawl) throw new Error(`${host.name}: not started, global timeout reached`)
        task.title = describe(crawl)
        if (crawl.result !== 'ok') throw new Error(describe(crawl))
      },
    })),
    {
      concurrent: threads,
      exitOnError: false,
      collectErrors: false,
      rendererOptions: { logger: new ListrLogger({ processOutput: output }), collapseErrors: true },
    },
  )
  await listr.run()
}
