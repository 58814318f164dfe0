/** Spawns `mirrormanager serve-mirrorlist` on a free port and talks to it. */
import type { ChildProcess } from 'node:child_process'
import { request as httpRequest } from 'node:http'
import { spawnCli } from './cli.js'

export interface RunningServer {
  port: number
  child: ChildProcess
  stderr(): string
  url(path: string): string
  /** Resolves with the exit status once the process ended. */
  exited: Promise<number | null>
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
}

export async function startServer(args: string[], env: Record<string, string> = {}): Promise<RunningServer> {
  const child = spawnCli(['serve-mirrorlist', '--listen', '127.0.0.1', '--port', '0', ...args], {
    env: { ...process.env, MM_CONFIG: '/dev/null', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  const listeners = new Set<() => void>()
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
    for (const listener of listeners) listener()
  })
  child.stdout!.resume()
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const waitForLog = (pattern: RegExp, timeoutMs = 30_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = stderr.match(pattern)
        if (!match) return
        listeners.delete(check)
        clearTimeout(timer)
        resolve(match)
      }
      const timer = setTimeout(() => {
        listeners.delete(check)
        reject(new Error(`no ${pattern} in server log after ${timeoutMs} ms:\n${stderr}`))
      }, timeoutMs)
      listeners.add(check)
      check()
    })
  const server: RunningServer = {
    port: 0,
    child,
    stderr: () => stderr,
    url: (path) => `http://127.0.0.1:${server.port}${path}`,
    exited,
    waitForLog,
  }
  const match = await Promise.race([
    waitForLog(/listening on http:\/\/127\.0\.0\.1:(\d+)\//),
    exited.then((code) => {
      throw new Error(`serve-mirrorlist exited (${code}) before listening:\n${stderr}`)
    }),
  ])
  server.port = Number(match[1])
  // Workers start one after another: wait until every one has had its first load.
  await waitForLog(/startup complete: \d+ of \d+ workers serving/)
  return server
}

export interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** A plain GET (or other method) with a raw, unencoded path and optional headers; new connection each time. */
export function get(port: number, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}
