/** The progress display for people at a terminal: one listr2 line per category. */
import { Listr } from 'listr2'
import type { CategoryTask, TaskRunner } from '../umdl/run.js'
import type { CategorySummary } from '../umdl/summary.js'

function describe(summary: CategorySummary): string {
  return `${summary.directoriesSeen} directories, ${summary.directoriesNew} new, ${summary.directoriesChanged} changed, ${summary.fileDetailsAdded} file details added (${(summary.durationMs / 1000).toFixed(1)} s)`
}

export function listrTaskRunner(): TaskRunner {
  return async (tasks: CategoryTask[]) => {
    const listr = new Listr(
      tasks.map((category) => ({
        title: category.name,
        task: async (_: unknown, task: { title: string; output: string }) => {
          const summary = await category.run((text) => (task.output = text))
          if (summary.status === 'failed') throw new Error(`${category.name}: ${summary.error}`)
          task.title = `${category.name}: ${describe(summary)}`
        },
      })),
      { concurrent: false, exitOnError: false, rendererOptions: { collapseErrors: false } },
    )
    await listr.run().catch(() => {}) // failures are reported in the summary
  }
}
