import { createServer } from 'node:net'
import { PortInUseError } from '../errors.js'

/**
 * Refuse to start a server whose port is taken, before any worker, pipeline or database
 * is started: `EADDRINUSE` from a worker used to surface late, after "startup complete",
 * as a misleading config error (issue 22). Port 0 (any free port) always passes. The
 * port is bound for a moment with `exclusive` (not shared with cluster workers) and
 * released; another process could still take it in between, then the server's own
 * listen error remains.
 */
export async function assertPortFree(host: string, port: number, flag = '--port'): Promise<void> {
  if (port === 0) return
  const probe = createServer()
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject)
      probe.listen({ host, port, exclusive: true }, () => resolve())
    })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE') {
      throw new PortInUseError(`port ${port} is in use on ${host}; pass ${flag} with another port (or stop what listens there)`, {
        cause: error,
        details: { host, port },
      })
    }
    // EACCES, EADDRNOTAVAIL...: the server's own listen reports these with its context.
    return
  } finally {
    if (probe.listening) await new Promise<void>((resolve) => probe.close(() => resolve()))
  }
}
