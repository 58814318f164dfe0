/**
 * How a crawl run shows its progress is the caller's business (issue 21): the library
 * hands the per-host work to a `CrawlProgress` runner, as umdl hands its categories to a
 * TaskRunner. The default runs the hosts `threads` at a time and draws nothing; the
 * command passes the listr2 display (src/lib/cli/crawl-progress.ts) at a terminal.
 */
import { eachLimit } from './each-limit.js'
import type { CrawlHost, HostCrawlResult } from './types.js'

export interface HostTask {
  host: CrawlHost
  /** Crawls (and stores) the host; `step` receives what it is doing. Null: not started (global timeout). */
  run(step: (text: string) => void): Promise<HostCrawlResult | null>
}

/** Runs every task, at most `threads` at once; must run each task exactly once. */
export type CrawlProgress = (tasks: HostTask[], threads: number) => Promise<void>

export const silentProgress: CrawlProgress = async (tasks, threads) => {
  await eachLimit(tasks, threads, async (task) => void (await task.run(() => {})))
}
