import * as Flags from '@oclif/core/flags'
import { exportPublicPages, type ExportResult } from '../http/web/public/export.js'
import { DatabaseCommand } from '../lib/cli/database-command.js'

export default class GeneratePages extends DatabaseCommand {
  static override summary = 'Write the public pages (mirror list, statistics, propagation, map) as static files.'
  static override description = `Renders the pages serve-web shows at /, /mirrors/..., /statistics/..., /propagation/... and /maps — with the same renderers — into a directory for a plain web server or a CDN: each page as <path>/index.html, the mirror lists also as <path>.json, the map as maps/mirrors.svg and map/mirrors_location.txt, and the stylesheet. The pages are written to a new directory that then replaces DIR, so readers never see a half-written set. Static pages have no country filter or sort form (a static server cannot answer them).`
  static override examples = [
    { description: 'Publish at the root of a web server, hourly from cron', command: '<%= config.bin %> <%= command.id %> -o /srv/www/mirrors' },
    { description: 'Under a path prefix, with 90 days of statistics, for a script', command: '<%= config.bin %> <%= command.id %> -o /srv/www/mm --base-path /mm --days 90 --json' },
  ]
  static override flags = {
    output: Flags.string({ char: 'o', summary: 'Directory to write (replaced as a whole).', required: true }),
    'base-path': Flags.string({ summary: 'URL path the directory is published under, e.g. /mirrors (default: the site root).', default: '' }),
    days: Flags.integer({ summary: 'Days of statistics pages.', default: 30, min: 1, max: 366 }),
  }

  async run(): Promise<ExportResult> {
    const { flags } = await this.parse(GeneratePages)
    const { sql } = await this.db()
    const result = await exportPublicPages(sql, flags.output, { basePath: flags['base-path'], days: flags.days })
    this.log(`${result.directory}: ${result.files} files (${result.pages.mirrorLists} mirror lists, ${result.pages.statisticsDays} days of statistics, ${result.pages.propagation} propagation charts)`)
    return result
  }
}
