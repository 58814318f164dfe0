import { createReadStream, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, normalize, sep } from 'node:path'

export interface StaticMirrors {
  /** Base URL of one mirror, e.g. http://127.0.0.1:8123/mirror-se */
  urlOf(name: string): string
  readonly port: number
  close(): Promise<void>
}

/**
 * Serves several mirror trees from one HTTP server on 127.0.0.1: `/<name>/...` maps to
 * the directory registered for <name>. GET and HEAD with Content-Length, 404 for
 * anything else; no directory listings. This is what the demo's mirrors run on.
 */
export async function serveStaticMirrors(roots: Record<string, string>, port = 0): Promise<StaticMirrors> {
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://mirror')
    const [, name, ...rest] = decodeURIComponent(url.pathname).split('/')
    const root = roots[name]
    const relative = normalize(rest.join('/'))
    if (!root || relative.startsWith('..') || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404).end()
      return
    }
    const file = join(root, relative)
    if (!file.startsWith(root + sep)) {
      response.writeHead(404).end()
      return
    }
    let size: number
    try {
      const stat = statSync(file)
      if (!stat.isFile()) throw new Error('not a file')
      size = stat.size
    } catch {
      response.writeHead(404).end()
      return
    }
    response.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream' })
    if (request.method === 'HEAD') response.end()
    else createReadStream(file).pipe(response)
  })
  server.keepAliveTimeout = 5000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  const actual = (server.address() as AddressInfo).port
  return {
    port: actual,
    urlOf: (name) => `http://127.0.0.1:${actual}/${name}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
