/**
 * The demo's web side: serve-web's pages from the demo's own process, on its embedded
 * database (one process holds that database, so the demo hosts the web server itself),
 * a demo account, one more copy of the sample tree that nobody has registered yet, and a
 * crawl + generate-snapshot round every minute, so a mirror registered in the browser
 * shows up in the metalink of the next round (serve-mirrorlist watches the snapshot file).
 */
import { cpSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { ResolvedConfig } from '../config/resolve.js'
import { runCrawl } from '../crawl/run-crawl.js'
import type { Database } from '../db/connect.js'
import type { Sql } from '../db/sql.js'
import type { Logger } from '../log.js'
import { generateSnapshot } from '../snapshot/generate.js'
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
  let running: Promise<void> = Promise.resolve()
  const round = async () => {
    try {
      const crawl = await runCrawl(database, {
        config, logger: options.logger, threads: 4, mode: 'full', hostTimeoutSeconds: 30, globalTimeoutSeconds: 50, dryRun: false, includePrivate: true,
      })
      const snapshot = await generateSnapshot(database.sql, { output: layout.snapshot, force: true, warn: (m) => options.logger.warn(m) })
      options.logger.info(`demo round: crawled ${crawl.hosts.ok} host(s) ok, ${crawl.hosts.failed} failed; snapshot with ${snapshot.hosts} host(s) written`)
    } catch (error) {
      options.logger.warn(`demo round failed: ${(error as Error).message}`)
    }
  }
  const timer = setInterval(() => {
    running = running.then(round)
  }, ROUND_SECONDS * 1000)
  timer.unref()
  return {
    url: web.url,
    account: DEMO_ACCOUNT,
    unregisteredUrl: options.unregisteredUrl,
    roundSeconds: ROUND_SECONDS,
    async stop() {
      clearInterval(timer)
      await running
      await web.close()
    },
  }
}
