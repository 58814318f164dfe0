/**
 * serve-web's process model: one process, or a primary with --workers HTTP worker
 * processes (node:cluster; each opens its own database pool, so workers need a
 * PostgreSQL server). SIGTERM/SIGINT stop accepting connections, finish the requests in
 * flight, and exit.
 */
import cluster from 'node:cluster'
import { once } from 'node:events'
import { resolveConfig } from '../../lib/config/resolve.js'
import type { Sql } from '../../lib/db/sql.js'
import { ConfigError } from '../../lib/errors.js'
import { createMailer } from '../../lib/users/mail.js'
import { webSettingsFromConfig } from '../../lib/users/web-settings.js'
import type { Logger } from '../../lib/log.js'
import { purgeExpired } from '../../lib/users/sessions.js'
import { buildWebApp } from './app.js'
import { servePrimaryMetrics, workerMetricsCollector } from './cluster-metrics.js'
import type { WebMetrics } from './metrics.js'
import type { WebContext } from './context.js'

function waitForStopSignal(): Promise<string> {
  const stop = new AbortController()
  const signals = ['SIGTERM', 'SIGINT'] as const
  return Promise.race(signals.map((signal) => once(process, signal, { signal: stop.signal }).then(() => signal))).finally(() => stop.abort())
}

/** Serves until SIGTERM or SIGINT, then drains. Returns the URL it served. */
export async function serveWeb(context: WebContext, options: { onListening?: (url: string) => void } = {}): Promise<{ url: string }> {
  // under --workers: /metrics sums every worker's counts (asked through the primary)
  let stopCollecting = () => {}
  const collectMetrics = (local: WebMetrics) => {
    const collector = workerMetricsCollector(local)
    stopCollecting = collector.stop
    return collector.collect
  }
  const clustered = cluster.isWorker ? { worker: cluster.worker!.id, collectMetrics } : {}
  const { app } = await buildWebApp({ ...context, ...clustered })
  const address = await app.listen({ host: context.settings.listen, port: context.settings.port })
  const url = `${address}${context.settings.basePath}`
  // Mailed links must carry the port really used (--port 0).
  if (!context.settings.publicUrlConfigured) context.settings.publicUrl = url
  options.onListening?.(url)
  const purge = setInterval(() => purgeExpired(context.sql).catch((error) => context.logger.warn(`serve-web: purging expired sessions: ${(error as Error).message}`)), 3600_000)
  purge.unref()
  const signal = await waitForStopSignal()
  context.logger.info(`serve-web: ${signal}: finishing requests in flight`)
  clearInterval(purge)
  await app.close()
  stopCollecting()
  // a cluster worker's IPC channel keeps it alive: let go of it, the process then ends
  // once the database pool is closed
  if (cluster.isWorker && process.connected) process.disconnect()
  return { url }
}

/** The primary of --workers N: forks the workers, replaces one that dies, passes SIGTERM on. */
export async function runWebPrimary(workers: number, embedded: boolean, logger: Logger): Promise<void> {
  if (embedded) {
    throw new ConfigError('web.workers: more than one worker needs a PostgreSQL server (database.url); the embedded database allows one process', { key: 'web.workers' })
  }
  let stopping = false
  servePrimaryMetrics()
  const fork = () => cluster.fork()
  for (let i = 0; i < workers; i++) fork()
  cluster.on('exit', (worker, code) => {
    if (stopping) return
    logger.warn(`serve-web: worker ${worker.process.pid} exited (${code}); starting another`)
    fork()
  })
  await waitForStopSignal()
  stopping = true
  const alive = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined)
  await Promise.all(alive.map((worker) => {
    const exited = once(worker, 'exit')
    worker.process.kill('SIGTERM')
    return exited
  }))
}

export const isWebWorker = () => cluster.isWorker

/** serve-web inside `mirrormanager demo`: default settings on 127.0.0.1:<port>, mail to the log. */
export async function startDemoWebServer(sql: Sql, options: { port: number; logger: Logger }): Promise<{ url: string; close(): Promise<void> }> {
  const settings = webSettingsFromConfig(resolveConfig({ env: {}, configFile: '/dev/null' }), {})
  const context: WebContext = { sql, settings: { ...settings, port: options.port }, sendMail: createMailer(settings.mail, options.logger), logger: quietAccessLog(options.logger) }
  const { app } = await buildWebApp(context)
  const address = await app.listen({ host: '127.0.0.1', port: options.port })
  context.settings.publicUrl = address
  return { url: address, close: () => app.close() }
}

/** The demo's terminal shows mails and problems, not one line per request. */
function quietAccessLog(logger: Logger): Logger {
  return { ...logger, info: (message) => (/^mail /.test(message) ? logger.info(message) : undefined) }
}
