/**
 * The crawl's progress display for people at a terminal: one listr2 line per running
 * host (its category, then its result). It writes to stderr: stdout is for the summary
 * and --json.
 */
import { Listr, ListrLogger, ProcessOutput } from 'listr2'
import type { CrawlProgress } from '../crawl/progress.js'
import type { HostCrawlResult } from '../crawl/types.js'

function describe(crawl: HostCrawlResult): string {
  const seconds = ((crawl.finished.getTime() - crawl.started.getTime()) / 1000).toFixed(1)
  let current = 0
  let stale = 0
  for (const category of crawl.categories) for (const verdict of category.verdicts.values()) verdict === 'up2date' ? current++ : stale++
  return `${crawl.host.name}: ${crawl.result} in ${seconds} s (${current} up to date, ${stale} stale)${crawl.disabled ? ', disabled' : ''}`
}

export function listrCrawlProgress(): CrawlProgress {
  return async (tasks, threads) => {
    if (tasks.length === 0) return
    const output = new ProcessOutput(process.stderr, process.stderr)
    const listr = new Listr(
      tasks.map(({ host, run }) => ({
        title: host.name,
        task: async (_: unknown, task: { title: string; output: string }) => {
          const crawl = await run((text) => (task.output = text))
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
}
