/** Fixtures for the check-in tests: a seeded database, a running serve-checkin, a proxy. */
import type { ChildProcess } from 'node:child_process'
import { createServer, request as httpRequest, type Server } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import { hashPassword } from '../../src/lib/sites/password.js'
import type { Sql } from '../../src/lib/db/sql.js'
import { spawnCli } from './cli.js'

export const SITE = 'Example.com'
export const PASSWORD = 'secret'
export const PRIVATE_HOST = 'mirror.example.com'
export const PUBLIC_HOST = 'public.example.com'
export const OTHER_SITE_HOST = 'other.example.org'

const MASTER_TREE = [
  'pub/fedora/linux',
  'pub/fedora/linux/releases',
  'pub/fedora/linux/releases/41',
  'pub/fedora/linux/releases/41/Everything',
  'pub/fedora/linux/updates',
  'pub/fedora/linux/updates/41',
  'pub/fedora/linux/development',
  'pub/fedora/linux/old/stuff',
  'pub/fedora/linux/linkdir',
  'pub/epel',
  'pub/epel/9',
  'pub/epel/9/Everything',
  'pub/epel/8',
  'pub/archive',
  'pub/archive/fedora',
  'pub/alt',
]

/**
 * Three categories with top directories, a site with a private and a public host, and a
 * second site. The private host already has: Fedora Linux "" and "releases" (not up to
 * date) and "old/stuff" (gone from its disk); Fedora Archive "" and "fedora".
 */
export async function seedCheckinDatabase(sql: Sql): Promise<void> {
  for (const name of MASTER_TREE) await sql`insert into directory (name) values (${name})`
  const category = async (name: string, top: string) =>
    sql`insert into category (name, topdir_id) select ${name}, id from directory where name = ${top}`
  await category('Fedora Linux', 'pub/fedora/linux')
  await category('Fedora EPEL', 'pub/epel')
  await category('Fedora Archive', 'pub/archive')
  await category('Fedora Alt', 'pub/alt')
  const hash = await hashPassword(PASSWORD)
  const [site] = await sql<{ id: number }[]>`insert into site (name, password_hash) values (${SITE}, ${hash}) returning id`
  const [other] = await sql<{ id: number }[]>`insert into site (name, password_hash) values ('Other', ${hash}) returning id`
  const host = async (siteId: number, name: string, isPrivate: boolean) =>
    (await sql<{ id: number }[]>`insert into host (site_id, name, country, private) values (${siteId}, ${name}, 'US', ${isPrivate}) returning id`)[0].id
  const privateHost = await host(site.id, PRIVATE_HOST, true)
  const publicHost = await host(site.id, PUBLIC_HOST, false)
  await host(other.id, OTHER_SITE_HOST, true)
  for (const hostId of [privateHost, publicHost]) {
    await sql`insert into host_category (host_id, category_id)
              select ${hostId}, id from category where name in ('Fedora Linux', 'Fedora EPEL', 'Fedora Archive')`
  }
  const hcdir = async (categoryName: string, path: string, directory: string) => sql`
    insert into host_category_dir (host_category_id, directory_id, path, up2date)
    select hc.id, d.id, ${path}, false
    from host_category hc join category c on c.id = hc.category_id, directory d
    where hc.host_id = ${privateHost} and c.name = ${categoryName} and d.name = ${directory}`
  await hcdir('Fedora Linux', '', 'pub/fedora/linux')
  await hcdir('Fedora Linux', 'releases', 'pub/fedora/linux/releases')
  await hcdir('Fedora Linux', 'old/stuff', 'pub/fedora/linux/old/stuff')
  await hcdir('Fedora Archive', '', 'pub/archive')
  await hcdir('Fedora Archive', 'fedora', 'pub/archive/fedora')
}

/** Every table a check-in could touch, as comparable text. */
export async function snapshotTables(sql: Sql): Promise<string> {
  const tables = ['site', 'host', 'host_category', 'host_category_dir', 'directory', 'category', 'category_directory']
  const parts: string[] = []
  for (const table of tables) parts.push(JSON.stringify(await sql`select * from ${sql(table)} order by 1, 2`))
  return parts.join('\n')
}

export interface HostDirectory {
  category: string
  path: string
  up2date: boolean
}

export async function hostDirectories(sql: Sql, hostName: string): Promise<HostDirectory[]> {
  return sql<HostDirectory[]>`
    select c.name as category, hcd.path, hcd.up2date
    from host_category_dir hcd
    join host_category hc on hc.id = hcd.host_category_id
    join category c on c.id = hc.category_id
    join host h on h.id = hc.host_id
    where h.name = ${hostName}
    order by c.name, hcd.path`
}

export interface RunningServer {
  url: string
  stderr(): string
  stop(): Promise<void>
}

/** Spawns `serve-checkin --port 0` and waits for its "listening on" line. */
export function startServeCheckin(env: Record<string, string | undefined>): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawnCli(['serve-checkin', '--listen', '127.0.0.1', '--port', '0'], {
      env: { ...process.env, MM_CONFIG: '/dev/null', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    const exited = new Promise<void>((done) => child.once('exit', () => done()))
    const timer = setTimeout(() => reject(new Error(`serve-checkin did not start:\n${stderr}`)), 60_000)
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      stderr += text
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)
      if (match && timer) {
        clearTimeout(timer)
        resolve({
          url: match[1],
          stderr: () => stderr,
          stop: async () => {
            child.kill('SIGTERM')
            await exited
          },
        })
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`serve-checkin exited (${code}):\n${stderr}`))
    })
  })
}

export interface TestProxy {
  url: string
  /** "CONNECT host:port" or "POST http://..." lines, one per request seen. */
  seen: string[]
  close(): Promise<void>
}

/** A forward proxy (absolute-form requests and CONNECT tunnels) that only reaches 127.0.0.1. */
export async function startTestProxy(): Promise<TestProxy> {
  const seen: string[] = []
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`)
    const target = new URL(req.url ?? '')
    if (target.hostname !== '127.0.0.1') return res.writeHead(403).end()
    const upstream = httpRequest(
      { host: '127.0.0.1', port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers)
        reply.pipe(res)
      },
    )
    upstream.on('error', () => res.writeHead(502).end())
    req.pipe(upstream)
  })
  server.on('connect', (req, socket, head) => {
    seen.push(`CONNECT ${req.url}`)
    const [host, port] = (req.url ?? '').split(':')
    if (host !== '127.0.0.1') return socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
    const upstream = connect(Number(port), '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(socket)
      socket.pipe(upstream)
    })
    upstream.on('error', () => socket.destroy())
    socket.on('error', () => upstream.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
