import { untilStopSignal } from '../stop-signals.js'
import { startCheckinServer, type CheckinServerOptions } from './server.js'

/**
 * serve-checkin's process: serve until SIGTERM or SIGINT, then close (requests in
 * progress finish first). `listeningNote` is appended to the "listening on" line.
 */
export async function runCheckinServer(options: CheckinServerOptions, listeningNote = ''): Promise<{ url: string }> {
  const server = await startCheckinServer(options)
  options.logger.info(`serve-checkin: listening on ${server.url}${listeningNote}`)
  await untilStopSignal()
  options.logger.info('serve-checkin: shutting down')
  await server.close()
  return { url: server.url }
}
