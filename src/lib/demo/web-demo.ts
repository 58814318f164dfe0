/**
 * The demo's web side: serve-web's pages from the demo's own process, on its embedded
 * database (one process holds that database, so the demo hosts the web server itself),
 * a demo account, one more copy of the sample tree that nobody has registered yet, and a
 * crawl + generate-snapshot round every minute, so a mirror registered in the browser
 * shows up in the metalink of the next round (serve-mirrorlist watches the snapshot file).
 * Each round also runs `crawl propagation` and `stats ingest` of serve-mirrorlist's access
 * log, so the public propagation and statistics pages fill by themselves: once right
 * after start (the demo's own example requests are the first statistics), every
 * minute, and a last ingest at stop (serve-mirrorlist has flushed its log by then).
 */
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { ResolvedConfig } from '../config/resolve.js'
import { runPropagation } from '../crawl/propagation.js'
import { runCrawl } from '../crawl/run-crawl.js'
import type { Database } from '../db/connect.js'
import type { Sql } from '../db/sql.js'
import type { Logger } from '../log.js'
import { generateSnapshot } from '../snapshot/generate.js'
import { ingestAccessLogs } from '../stats/ingest.js'
import { addUser, findUser, updateUser } from '../users/users.js'
import { DEMO_TOPDIR, type DemoLayout } from './layout.js'

/** A full, current copy of the master tree that the demo does not register. */
export const UNREGISTERED_MIRROR = 'mirror.new.example'
export const DEMO_ACCOUNT = { username: 'demo', password: 'demo-password' }
export const ROUND_SECONDS = 60

export function buildUnregisteredMirror(layout: DemoLayout): string {
  const root = join(layout.mirrors, UNREGISTERED_MIRROR)
  rmSync(root, { recursive: true, force: true })
  mkdirSync(join(root, DEMO_TOPDIR), { recursive: true })
  cpSync(join(layout.master, DEMO_TOPDIR), join(root, DEMO_TOPDIR), { recursive: true, preserveTimestamps: true })
  return root
}

/** Starts serve-web on a database (the command passes src/http's starter: the library does not import src/http). */
export type StartWeb = (sql: Sql, options: { port: number; logger: Logger }) => Promise<{ url: string; close(): Promise<void> }>

export interface DemoWeb {
  url: string
  account: { username: string; password: string }
  /** The unregistered copy's URL, to register in the browser. */
  unregisteredUrl: string
  roundSeconds: number
  /** serve-mirrorlist's access log, ingested into the statistics every round. */
  accessLog: string
}

export interface RunningDemoWeb extends DemoWeb {
  stop(): Promise<void>
}

async function ensureDemoAccount(sql: Sql): Promise<void> {
  const fields = { email: 'demo@example.org', password: DEMO_ACCOUNT.password, confirmed: true, admin: true }
  if (await findUser(sql, DEMO_ACCOUNT.username)) await updateUser(sql, DEMO_ACCOUNT.username, fields)
  else await addUser(sql, DEMO_ACCOUNT.username, fields)
}

export async function startDemoWeb(
  database: Database,
  config: ResolvedConfig,
  layout: DemoLayout,
  options: { port: number; logger: Logger; startWeb: StartWeb; unregisteredUrl: string },
): Promise<RunningDemoWeb> {
  await ensureDemoAccount(database.sql)
  const web = await options.startWeb(database.sql, { port: options.port, logger: options.logger })
  const ingest = async () => {
    if (!existsSync(layout.accessLog)) return 0
    const { days } = await ingestAccessLogs(database.sql, [layout.accessLog])
    return days.reduce((sum, day) => sum + day.requests, 0)
  }
  /** What the public pages show beyond the mirror list: propagation and statistics. */
  const refreshPublicPages = async () => {
    const propagation = await runPropagation(database.sql, config, { threads: 4, prefixes: ['*'], dryRun: false }, options.logger)
    return `propagation of ${propagation.repositories.length} repositories measured; ${await ingest()} request(s) added to the statistics`
  }
  const round = async () => {
    const crawl = await runCrawl(database, {
      config, logger: options.logger, threads: 4, mode: 'full', hostTimeoutSeconds: 30, globalTimeoutSeconds: 50, dryRun: false, includePrivate: true,
    })
    const snapshot = await generateSnapshot(database.sql, { output: layout.snapshot, force: true, warn: (m) => options.logger.warn(m) })
    return `crawled ${crawl.hosts.ok} host(s) ok, ${crawl.hosts.failed} failed; snapshot with ${snapshot.hosts} host(s) written; ${await refreshPublicPages()}`
  }
  const logged = (work: () => Promise<string>) => async () => {
    try {
      options.logger.info(`demo round: ${await work()}`)
    } catch (error) {
      options.logger.warn(`demo round failed: ${(error as Error).message}`)
    }
  }
  // the start-up crawl just ran: the first round only fills propagation and statistics
  let running: Promise<void> = logged(refreshPublicPages)()
  const timer = setInterval(() => {
    running = running.then(logged(round))
  }, ROUND_SECONDS * 1000)
  timer.unref()
  return {
    url: web.url,
    account: DEMO_ACCOUNT,
    unregisteredUrl: options.unregisteredUrl,
    roundSeconds: ROUND_SECONDS,
    accessLog: layout.accessLog,
    async stop() {
      clearInterval(timer)
      await running
      // serve-mirrorlist has stopped and flushed its log: count its last requests too
      await logged(async () => `${await ingest()} request(s) added to the statistics at stop`)()
      await web.close()
    },
  }
}
