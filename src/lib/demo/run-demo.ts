import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { resolveConfig } from '../config/resolve.js'
import { openDatabase } from '../db/connect.js'
import type { CrawlProgress } from '../crawl/progress.js'
import { runCrawl } from '../crawl/run-crawl.js'
import type { CrawlSummary } from '../crawl/summary.js'
import type { Logger } from '../log.js'
import { bundledGeoIpFile } from '../geo/bundled-geoip.js'
import { generateSnapshot, type GenerateSummary } from '../snapshot/generate.js'
import { updateMasterDirectoryList, type TaskRunner } from '../umdl/run.js'
import type { UmdlSummary } from '../umdl/summary.js'
import { NetworkError } from '../errors.js'
import { assertPortFree } from '../net/port-in-use.js'
import { buildDemoTrees } from './build-trees.js'
import { demoExamples, dnfRepoSnippet } from './examples.js'
import { DEMO_TOPDIR, demoLayout, type DemoLayout } from './layout.js'
import { registerDemoNetwork } from './register-network.js'
import { serveStaticMirrors, type StaticMirrors } from './static-mirror.js'
import { buildUnregisteredMirror, startDemoWeb, UNREGISTERED_MIRROR, type DemoWeb, type StartWeb } from './web-demo.js'

export interface DemoOptions {
  dir: string
  port: number
  /** false: stop after the snapshot is written. */
  serve: boolean
  /** Stop serving after this many seconds (undefined: until Ctrl-C / SIGTERM). */
  exitAfterSeconds?: number
  logger: Logger
  /** Progress for people (a TTY): umdl's listr2 task list, crawl's per-host display. */
  interactive: boolean
  umdlTasks?: TaskRunner
  /** How the crawl step shows its progress (the command passes a display at a terminal). */
  crawlProgress?: CrawlProgress
  /**
   * Runs serve-mirrorlist until it stops (the command passes the HTTP layer's `runPrimary`:
   * the library does not import src/http).
   */
  /** Absolute path of bin/run.js, for the command lines the demo prints. */
  cliPath: string
  serveMirrorlist: (options: DemoServerOptions, logger: Logger) => Promise<unknown>
  /** serve-web's pages while serving (web-demo.ts); undefined: no web pages. */
  web?: { port: number; start: StartWeb }
}

/** The serve-mirrorlist options the demo starts it with (a subset of its ServerOptions). */
export interface DemoServerOptions {
  snapshot: string
  listen: string
  port: number
  workers: number
  minimum: number
  geoip?: string
  trustProxy: boolean
  watch: boolean
  debugSelection: boolean
  familyFilter: boolean
  maxSnapshotAge: number
  logLevel: 'error' | 'warn' | 'info' | 'debug'
  /** The statistics access log (serve-mirrorlist --log). */
  accessLog?: string
}

/** Callbacks that show each step as it happens; the command decides how. */
export interface DemoReporter {
  step(title: string): void
  umdl(summary: UmdlSummary): void
  crawl(summary: CrawlSummary): void
  snapshot(summary: GenerateSummary): void
  serving(info: DemoServing): void
}

export interface DemoAnswer {
  title: string
  url: string
  status: number
  location?: string
  body: string
  note: string
}

export interface DemoServing {
  baseUrl: string
  answers: DemoAnswer[]
  repoFile: string
  repoSnippet: string
  layout: DemoLayout
  /** Absolute path of bin/run.js, and the package directory it belongs to. */
  cliPath: string
  cliRoot: string
  web?: DemoWeb
}

export interface DemoResult {
  layout: DemoLayout
  umdl: UmdlSummary
  crawl: CrawlSummary
  snapshot: GenerateSummary
  serving?: DemoServing
}

async function waitForHealth(baseUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${baseUrl}/healthz`)
      await response.arrayBuffer()
      if (response.ok) return
    } catch {
      // not listening yet
    }
    await sleep(100)
  }
  throw new NetworkError(`serve-mirrorlist did not become healthy at ${baseUrl} within ${timeoutMs / 1000} s`)
}

async function askExamples(baseUrl: string): Promise<DemoAnswer[]> {
  const answers: DemoAnswer[] = []
  for (const example of demoExamples()) {
    const url = `${baseUrl}${example.path}`
    const response = await fetch(url, { redirect: 'manual' })
    answers.push({
      title: example.title,
      url,
      status: response.status,
      location: response.headers.get('location') ?? undefined,
      body: await response.text(),
      note: example.note,
    })
  }
  return answers
}

/** The demo is self-contained: its own embedded database and config, whatever the environment says. */
function demoConfig(layout: DemoLayout) {
  return resolveConfig({ configFile: layout.config, env: { MM_DATA_DIR: layout.dataDir, MM_LOG_LEVEL: 'warn' } })
}

/** Scans, crawls and snapshots the demo network; the database is closed afterwards. */
async function prepare(layout: DemoLayout, mirrors: StaticMirrors, options: DemoOptions, report: DemoReporter) {
  // The demo is self-contained: its own embedded database and config, whatever the environment says.
  const config = demoConfig(layout)
  const database = await openDatabase(config, { command: 'mirrormanager demo', log: (m) => options.logger.info(m) })
  try {
    report.step('Registering a site with three public mirrors (SE, DE, US) and a private one (netblock 192.0.2.0/24)')
    await registerDemoNetwork(database.sql, mirrors.urlOf)
    report.step('umdl: scanning the master tree')
    const umdl = await updateMasterDirectoryList(database, config, { logger: options.logger, runTasks: options.umdlTasks })
    report.umdl(umdl)
    report.step('crawl: checking every mirror against the master')
    const crawl = await runCrawl(database, {
      config,
      logger: options.logger,
      threads: 4,
      mode: 'full',
      hostTimeoutSeconds: 60,
      globalTimeoutSeconds: 120,
      dryRun: false,
      // The private mirror is on the same loopback server; in real life it would check in with report-mirror.
      includePrivate: true,
      progress: options.crawlProgress,
    })
    report.crawl(crawl)
    report.step('generate-snapshot: writing what serve-mirrorlist answers from')
    const snapshot = await generateSnapshot(database.sql, { output: layout.snapshot, force: true, warn: (m) => options.logger.warn(m) })
    report.snapshot(snapshot)
    return { umdl, crawl, snapshot }
  } finally {
    await database.close()
  }
}

/**
 * The newcomer's minute: a sample master tree, four mirrors served on 127.0.0.1, then
 * umdl, crawl, generate-snapshot and serve-mirrorlist on the embedded database — the
 * whole pipeline, with the same summaries a sysadmin sees. Safe to run again.
 */
export async function runDemo(options: DemoOptions, report: DemoReporter): Promise<DemoResult> {
  const layout = demoLayout(options.dir)
  if (options.serve) await assertPortFree('127.0.0.1', options.port)
  if (options.serve && options.web) await assertPortFree('127.0.0.1', options.web.port)
  report.step(`Writing a Fedora-like master tree and four mirror copies under ${layout.root}`)
  const roots = buildDemoTrees(layout, Math.floor(Date.now() / 1000))
  if (options.web) roots[UNREGISTERED_MIRROR] = buildUnregisteredMirror(layout)
  const mirrors = await serveStaticMirrors(roots)
  try {
    const prepared = await prepare(layout, mirrors, options, report)
    if (!options.serve) return { layout, ...prepared }

    report.step(`serve-mirrorlist: answering on http://127.0.0.1:${options.port}`)
    const baseUrl = `http://127.0.0.1:${options.port}`
    const stopped = options.serveMirrorlist(
      {
        snapshot: layout.snapshot,
        listen: '127.0.0.1',
        port: options.port,
        workers: 1,
        minimum: 5,
        geoip: bundledGeoIpFile(), // country tiers out of the box (README "Geolocation data")
        trustProxy: false,
        watch: true,
        // explain=1 answers say why each host was chosen or left out: the demo's notes point there.
        debugSelection: true,
        familyFilter: true,
        maxSnapshotAge: 0,
        logLevel: 'warn',
        // the statistics pages' input: every round of the web demo ingests it
        accessLog: options.web ? layout.accessLog : undefined,
      },
      options.logger,
    )
    const failed = stopped.then(
      () => new NetworkError('serve-mirrorlist stopped before it was ready'),
      (error: unknown) => error,
    )
    const ready = await Promise.race([waitForHealth(baseUrl, 30_000).then(() => undefined), failed])
    if (ready) throw ready
    const repoSnippet = dnfRepoSnippet(baseUrl)
    const repoFile = join(layout.root, 'demo.repo')
    writeFileSync(repoFile, repoSnippet)
    const webDatabase = options.web ? await openDatabase(demoConfig(layout), { command: 'mirrormanager demo' }) : undefined
    try {
      const web = webDatabase && options.web
        ? await startDemoWeb(webDatabase, demoConfig(layout), layout, {
            port: options.web.port, logger: options.logger, startWeb: options.web.start, unregisteredUrl: `${mirrors.urlOf(UNREGISTERED_MIRROR)}/${DEMO_TOPDIR}`,
          })
        : undefined
      const { stop: _stop, ...webInfo } = web ?? {}
      const serving: DemoServing = {
        baseUrl,
        answers: await askExamples(baseUrl),
        repoFile,
        repoSnippet,
        layout,
        cliPath: options.cliPath,
        cliRoot: dirname(dirname(options.cliPath)),
        web: web ? (webInfo as DemoWeb) : undefined,
      }
      report.serving(serving)
      if (options.exitAfterSeconds !== undefined) {
        setTimeout(() => process.kill(process.pid, 'SIGTERM'), options.exitAfterSeconds * 1000).unref()
      }
      await stopped
      await web?.stop()
      return { layout, ...prepared, serving }
    } finally {
      await webDatabase?.close()
    }
  } finally {
    await mirrors.close()
  }
}
