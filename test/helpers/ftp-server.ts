/**
 * A minimal anonymous FTP server on 127.0.0.1 for crawler tests: enough of RFC 959 for
 * basic-ftp (USER/PASS, FEAT, TYPE, EPSV/PASV, LIST, CWD, PWD, SIZE, QUIT), serving a
 * directory read-only. `missingDirectoryCode` lets a test play a broken server that
 * answers 451 where 550 is meant. Counts commands, for request-bound assertions.
 */
import { readdirSync, lstatSync, readlinkSync, statSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { join, normalize } from 'node:path'

export interface FtpServerOptions {
  root: string
  missingDirectoryCode?: 550 | 451
}

export interface TestFtpServer {
  port: number
  url(path: string): string
  commands: Map<string, number>
  stop(): Promise<void>
}

function listLine(path: string, name: string): string {
  const stat = lstatSync(join(path, name))
  const date = 'Nov 23 13:00'
  if (stat.isSymbolicLink()) return `lrwxrwxrwx 1 ftp ftp ${readlinkSync(join(path, name)).length} ${date} ${name} -> ${readlinkSync(join(path, name))}`
  if (stat.isDirectory()) return `drwxr-xr-x 2 ftp ftp 4096 ${date} ${name}`
  return `-rw-r--r-- 1 ftp ftp ${stat.size} ${date} ${name}`
}

function session(control: Socket, options: FtpServerOptions, commands: Map<string, number>): void {
  let cwd = '/'
  let passive: { server: Server; socket: Promise<Socket> } | undefined
  const reply = (line: string) => control.write(`${line}\r\n`)
  const resolve = (path: string) => normalize(path.startsWith('/') ? path : join(cwd, path))
  const onDisk = (path: string) => join(options.root, resolve(path))
  const openPassive = (): Promise<number> =>
    new Promise((done) => {
      const server = createServer()
      const socket = new Promise<Socket>((accept) => server.once('connection', accept))
      server.listen(0, '127.0.0.1', () => done((server.address() as { port: number }).port))
      passive = { server, socket }
    })
  const closePassive = () => {
    passive?.server.close()
    passive = undefined
  }
  reply('220 test ftp ready')
  let buffer = ''
  control.setEncoding('utf8').on('data', async (chunk: string) => {
    buffer += chunk
    let end: number
    while ((end = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      const [verb, ...rest] = line.split(' ')
      const argument = rest.filter((part) => part !== '-a').join(' ')
      const command = verb.toUpperCase()
      commands.set(command, (commands.get(command) ?? 0) + 1)
      switch (command) {
        case 'USER': reply('331 password please'); break
        case 'PASS': reply('230 logged in'); break
        case 'FEAT': reply('211 no features'); break
        case 'TYPE': case 'STRU': case 'OPTS': reply('200 ok'); break
        case 'PWD': reply(`257 "${cwd}"`); break
        case 'CWD': {
          const target = resolve(argument)
          let isDir = false
          try { isDir = statSync(onDisk(target)).isDirectory() } catch { /* missing */ }
          if (isDir) { cwd = target; reply('250 ok') } else reply(`${options.missingDirectoryCode ?? 550} no such directory`)
          break
        }
        case 'SIZE': {
          try { reply(`213 ${statSync(onDisk(argument)).size}`) } catch { reply('550 no such file') }
          break
        }
        case 'EPSV': reply(`229 Entering Extended Passive Mode (|||${await openPassive()}|)`); break
        case 'PASV': {
          const port = await openPassive()
          reply(`227 Entering Passive Mode (127,0,0,1,${port >> 8},${port & 255})`)
          break
        }
        case 'LIST': {
          const path = onDisk(argument || cwd)
          let names: string[] | undefined
          try { if (statSync(path).isDirectory()) names = readdirSync(path).sort() } catch { /* missing */ }
          const data = passive
          if (!names || !data) {
            // Like vsftpd: the error reply first, then the data connection is closed cleanly.
            reply(`${options.missingDirectoryCode ?? 550} no such directory`)
            passive = undefined
            void data?.socket.then((socket) => setTimeout(() => socket.end(), 50))
            setTimeout(() => data?.server.close(), 50)
            break
          }
          reply('150 here it comes')
          const socket = await data.socket
          socket.end(names.map((name) => listLine(path, name) + '\r\n').join(''), () => {
            closePassive()
            reply('226 done')
          })
          break
        }
        case 'QUIT': reply('221 bye'); control.end(); break
        default: reply('502 not implemented')
      }
    }
  })
  control.on('error', () => {})
  control.on('close', closePassive)
}

export async function startFtpServer(options: FtpServerOptions): Promise<TestFtpServer> {
  const commands = new Map<string, number>()
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    session(socket, options, commands)
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const port = (server.address() as { port: number }).port
  return {
    port,
    url: (path) => `ftp://127.0.0.1:${port}/${path.replace(/^\//, '')}`,
    commands,
    stop: () =>
      new Promise((done) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => done())
      }),
  }
}
