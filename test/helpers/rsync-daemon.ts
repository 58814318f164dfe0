/**
 * A real `rsync --daemon` on 127.0.0.1 for tests (umdl rsync sources, crawler peers).
 *
 *     const daemon = await startRsyncDaemon({ modules: { fedora: '/tmp/tree' } })
 *     daemon.url('fedora')   // rsync://127.0.0.1:PORT/fedora/
 *     await daemon.stop()
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface RsyncDaemonOptions {
  /** Module name -> directory served. */
  modules: Record<string, string>
  /** Extra lines for the [global] part of rsyncd.conf. */
  extraConfig?: string
}

export interface RsyncDaemon {
  port: number
  /** `rsync://127.0.0.1:PORT/<module>/<path>` (with a trailing slash when path is empty). */
  url(module: string, path?: string): string
  /** The daemon's log (connections, errors). */
  log(): string
  stop(): Promise<void>
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    socket.on('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.on('error', () => resolve(false))
  })
}

function renderConfig(options: RsyncDaemonOptions, logFile: string, pidFile: string): string {
  const uid = process.getuid?.() ?? 0
  const gid = process.getgid?.() ?? 0
  const lines = [
    'use chroot = no',
    `uid = ${uid}`,
    `gid = ${gid}`,
    'read only = yes',
    `log file = ${logFile}`,
    `pid file = ${pidFile}`,
    options.extraConfig ?? '',
  ]
  for (const [name, path] of Object.entries(options.modules)) lines.push(`[${name}]`, `  path = ${path}`, '  list = yes')
  return lines.join('\n') + '\n'
}

async function tryStart(options: RsyncDaemonOptions, dir: string): Promise<{ child: ChildProcess; port: number } | undefined> {
  const port = await freePort()
  const conf = join(dir, 'rsyncd.conf')
  writeFileSync(conf, renderConfig(options, join(dir, 'rsyncd.log'), join(dir, `rsyncd-${port}.pid`)))
  const child = spawn('rsync', ['--daemon', '--no-detach', `--config=${conf}`, `--port=${port}`, '--address=127.0.0.1'], {
    stdio: 'ignore',
  })
  let exited = false
  child.on('exit', () => (exited = true))
  for (let i = 0; i < 100 && !exited; i++) {
    if (await accepts(port)) return { child, port }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  child.kill('SIGKILL')
  return undefined // port taken between freePort() and bind, or a slow start: try another port
}

export async function startRsyncDaemon(options: RsyncDaemonOptions): Promise<RsyncDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'mm-rsyncd-'))
  for (let attempt = 0; attempt < 5; attempt++) {
    const started = await tryStart(options, dir)
    if (!started) continue
    const { child, port } = started
    return {
      port,
      url: (module, path = '') => `rsync://127.0.0.1:${port}/${module}/${path}`,
      log: () => {
        try {
          return readFileSync(join(dir, 'rsyncd.log'), 'utf8')
        } catch {
          return ''
        }
      },
      async stop() {
        if (child.exitCode === null) {
          const closed = new Promise((resolve) => child.on('exit', resolve))
          child.kill('SIGTERM')
          await closed
        }
        rmSync(dir, { recursive: true, force: true })
      },
    }
  }
  rmSync(dir, { recursive: true, force: true })
  throw new Error('could not start rsync --daemon on 127.0.0.1')
}
