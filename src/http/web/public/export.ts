/**
 * `generate-pages`: the public pages as static files for a plain web server or a CDN,
 * from the same renderers as the served pages (without the forms and query-string links
 * a static server cannot answer). Every page is `<path>/index.html`, so the links are the
 * served paths; the JSON mirror lists are `<path>.json` as served. Written to a new
 * directory beside the target, then renamed over it: readers see the old set or the new
 * one, never a mix.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import type { Sql } from '../../../lib/db/sql.js'
import { UsageError } from '../../../lib/errors.js'
import { mapLocationsText } from '../../../lib/public/map-locations.js'
import { publicMirrorList } from '../../../lib/public/mirror-list.js'
import { productMatrix } from '../../../lib/public/product-matrix.js'
import { propagationRepositories, propagationSeries } from '../../../lib/public/propagation.js'
import { STAT_CATEGORIES } from '../../../lib/stats/access-counter.js'
import { statisticsDay, statisticsOverview } from '../../../lib/stats/queries.js'
import { STYLESHEET, STYLESHEET_PATH } from '../layout.js'
import type { RenderContext } from './common.js'
import { mirrorMapSvg, renderMap } from './render-map.js'
import { renderIndex, renderMirrorList } from './render-mirrors.js'
import { renderPropagation, renderPropagationIndex } from './render-propagation.js'
import { renderStatisticsDay, renderStatisticsOverview } from './render-statistics.js'

export interface ExportOptions {
  /** URL path the directory will be published under ('' for the site root). */
  basePath?: string
  /** Days of statistics pages (default 30). */
  days?: number
}

export interface ExportResult {
  directory: string
  files: number
  pages: { mirrorLists: number; statisticsDays: number; propagation: number }
}

/** A path segment that is safe as a file name and as a link (names come from the database). */
function segment(name: string): string | undefined {
  return name === '' || name === '.' || name === '..' ? undefined : encodeURIComponent(name)
}

export async function exportPublicPages(sql: Sql, output: string, options: ExportOptions = {}): Promise<ExportResult> {
  const basePath = (options.basePath ?? '').replace(/\/+$/, '')
  if (basePath && !basePath.startsWith('/')) throw new UsageError(`--base-path must start with "/": ${basePath}`)
  const context: RenderContext = { basePath, interactive: false }
  const target = resolve(output)
  const staging = join(dirname(target), `.${basename(target)}.new-${randomBytes(4).toString('hex')}`)
  let files = 0
  const write = async (path: string, body: string) => {
    const file = join(staging, path)
    await mkdir(dirname(file), { recursive: true })
    await writeFile(file, body)
    files++
  }
  const pages = { mirrorLists: 0, statisticsDays: 0, propagation: 0 }
  try {
    await mkdir(staging, { recursive: true })
    await write(STYLESHEET_PATH, STYLESHEET)
    const matrix = await productMatrix(sql)
    await write('index.html', renderIndex(context, matrix).toString())

    const lists: string[][] = [[]]
    for (const product of matrix.products) {
      lists.push([product.name])
      for (const version of product.versions) {
        lists.push([product.name, version.name])
        for (const arch of version.arches) lists.push([product.name, version.name, arch])
      }
    }
    for (const names of lists) {
      const parts = names.map(segment)
      if (parts.some((p) => p === undefined)) continue
      const path = ['mirrors', ...(parts as string[])].join('/')
      const list = await publicMirrorList(sql, { product: names[0], version: names[1], arch: names[2] })
      await write(`${path}/index.html`, renderMirrorList(context, list, `${basePath}/${path}`, `${basePath}/${path}.json`).toString())
      await write(`${path}.json`, JSON.stringify(list))
      pages.mirrorLists++
    }

    const days = options.days ?? 30
    const overview = await statisticsOverview(sql, days)
    await write('statistics/index.html', renderStatisticsOverview(context, overview, days).toString())
    for (const day of overview.daily.filter((d) => d.requests > 0)) {
      for (const category of STAT_CATEGORIES) {
        const page = renderStatisticsDay(context, await statisticsDay(sql, day.date, category)).toString()
        await write(`statistics/${day.date}/${category}/index.html`, page)
        if (category === 'countries') await write(`statistics/${day.date}/index.html`, page)
      }
      pages.statisticsDays++
    }

    const repositories = await propagationRepositories(sql)
    await write('propagation/index.html', renderPropagationIndex(context, repositories).toString())
    for (const repository of repositories) {
      await write(`propagation/${repository.id}/index.html`, renderPropagation(context, await propagationSeries(sql, repository.id)).toString())
      pages.propagation++
    }

    const mirrors = (await publicMirrorList(sql)).mirrors
    await write('maps/index.html', renderMap(context, mirrors).toString())
    await write('maps/mirrors.svg', `<?xml version="1.0" encoding="utf-8"?>\n${mirrorMapSvg(mirrors).toString()}`)
    await write('map/mirrors_location.txt', mapLocationsText(mirrors))

    // swap: the old set moves aside, the new one takes its name, the old one goes
    const previous = `${staging}.old`
    const hadPrevious = await rename(target, previous).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return false
        throw error
      },
    )
    await rename(staging, target)
    if (hadPrevious) await rm(previous, { recursive: true, force: true })
  } catch (error) {
    await rm(staging, { recursive: true, force: true })
    throw error
  }
  return { directory: target, files, pages }
}
