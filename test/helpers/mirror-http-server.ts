/**
 * One HTTP server playing many mirrors, one per first path segment (`/current/...`).
 * A mirror is a directory on disk or a misbehaviour: `forbidden` (403 for everything),
 * `hang` (never answers), `trickle` (a byte every half second), `loop` (redirects to
 * itself), `elsewhere` (redirects to another host), `broken` (503). Counts requests and
 * the most connections open at once per mirror, for politeness assertions.
 */
import { createReadStream, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { join, normalize } from 'node:path'

export type Misbehaviour = 'forbidden' | 'hang' | 'trickle' | 'loop' | 'elsewhere' | 'broken'

export interface MirrorHttpServer {
  port: number
  url(mirror: string): string
  requests: Map<string, number>
  /** The most connections open at once per mirror. */
  maxConnections: Map<string, number>
  userAgents: Set<string>
  /** Holds every request to `mirror` unanswered until the returned release() is called. */
  hold(mirror: string): () => void
  /** Resolves at the next request to `mirror`. */
  requested(mirror: string): Promise<void>
  stop(): Promise<void>
}

export async function startMirrorHttpServer(
  mirrors: Record<string, string | Misbehaviour>,
  host = '127.0.0.1',
): Promise<MirrorHttpServer> {
  const requests = new Map<string, number>()
  const socketMirror = new WeakMap<Socket, string>()
  const openConnections = new Map<string, number>()
  const maxConnections = new Map<string, number>()
  const userAgents = new Set<string>()
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()
  const held = new Map<string, (() => void)[]>()
  const waiting = new Map<string, (() => void)[]>()

  const serveFile = (root: string, rest: string, request: IncomingMessage, response: ServerResponse) => {
    const path = join(root, normalize(decodeURIComponent(rest)))
    let size: number
    try {
      const stat = statSync(path)
      if (stat.isDirectory()) {
        response.writeHead(200, { 'content-type': 'text/html' }).end(request.method === 'HEAD' ? undefined : '<html>index</html>')
        return
      }
      size = stat.size
    } catch {
      response.writeHead(404).end()
      return
    }
    response.writeHead(200, { 'content-length': size })
    if (request.method === 'HEAD') response.end()
    else createReadStream(path).pipe(response)
  }

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://x')
    const [, mirror = '', ...rest] = url.pathname.split('/')
    requests.set(mirror, (requests.get(mirror) ?? 0) + 1)
    // Connections are per crawled host (each host has its own pool), so a socket belongs
    // to the mirror of its first request; count how many are open at once per mirror.
    const socket = request.socket
    if (!socketMirror.has(socket)) {
      socketMirror.set(socket, mirror)
      const now = (openConnections.get(mirror) ?? 0) + 1
      openConnections.set(mirror, now)
      maxConnections.set(mirror, Math.max(maxConnections.get(mirror) ?? 0, now))
      socket.once('close', () => openConnections.set(mirror, (openConnections.get(mirror) ?? 1) - 1))
    }
    userAgents.add(String(request.headers['user-agent']))
    for (const wake of waiting.get(mirror) ?? []) wake()
    waiting.delete(mirror)
    const queue = held.get(mirror)
    if (queue) queue.push(() => respond(mirror, rest, url, request, response))
    else respond(mirror, rest, url, request, response)
  }

  const respond = (mirror: string, rest: string[], url: URL, request: IncomingMessage, response: ServerResponse) => {
    const behaviour = mirrors[mirror]
    switch (behaviour) {
      case undefined: response.writeHead(404).end(); return
      case 'forbidden': response.writeHead(403).end(); return
      case 'broken': response.writeHead(503).end(); return
      case 'hang': return
      case 'loop': response.writeHead(302, { location: url.pathname }).end(); return
      case 'elsewhere': response.writeHead(301, { location: `http://localhost:1${url.pathname}` }).end(); return
      case 'trickle': {
        response.writeHead(200, { 'content-length': 1_000_000 })
        const timer = setInterval(() => response.write('x'), 500)
        timers.add(timer)
        response.on('close', () => clearInterval(timer))
        return
      }
      default:
        serveFile(behaviour, rest.join('/'), request, response)
    }
  }

  const server = createServer(handle)
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  const port = (server.address() as { port: number }).port
  const base = host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`
  return {
    port,
    url: (mirror) => `${base}/${mirror}`,
    requests,
    maxConnections,
    userAgents,
    hold(mirror) {
      held.set(mirror, [])
      return () => {
        const queue = held.get(mirror) ?? []
        held.delete(mirror)
        for (const resume of queue) resume()
      }
    },
    requested: (mirror) => new Promise((resolve) => waiting.set(mirror, [...(waiting.get(mirror) ?? []), resolve])),
    stop: () =>
      new Promise((resolve) => {
        for (const timer of timers) clearInterval(timer)
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
