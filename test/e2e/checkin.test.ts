/**
 * report-mirror -> serve-checkin on 127.0.0.1, on every database kind: the check-in
 * counts of the spec, refusals that change nothing, a payload built by Python's standard
 * library exactly as the existing client builds it, and a check-in through a proxy.
 */
import t from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { createServer } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { bzip2Compress } from '../../src/lib/checkin/bzip2.js'
import { parseIni } from '../../src/lib/checkin/ini.js'
import { encodeLegacyWire } from '../../src/lib/checkin/legacy-wire.js'
import { renderMethodCall } from '../../src/lib/checkin/xmlrpc.js'
import { runCli } from '../helpers/cli.js'
import { cliDatabaseKind, databaseKinds, openTestDatabase } from '../helpers/database.js'
import {
  hostDirectories,
  OTHER_SITE_HOST,
  PASSWORD,
  PRIVATE_HOST,
  PUBLIC_HOST,
  seedCheckinDatabase,
  SITE,
  snapshotTables,
  startServeCheckin,
  startTestProxy,
} from '../helpers/checkin.js'

const NO_PROXY_ENV = { http_proxy: undefined, https_proxy: undefined, HTTP_PROXY: undefined, HTTPS_PROXY: undefined, no_proxy: undefined, NO_PROXY: undefined }
const SERVER_ENV = {
  MM_CHECKIN_RATE_LIMIT_BURST: '20',
  MM_CHECKIN_RATE_LIMIT_PER_HOUR: '1',
  MM_CHECKIN_MAX_BODY_BYTES: String(256 * 1024),
  MM_CHECKIN_MAX_PAYLOAD_BYTES: String(1024 * 1024),
  MM_CHECKIN_REQUEST_TIMEOUT: '5',
  MM_CHECKIN_FAILURE_LIMIT_BURST: '1000', // these tests refuse many check-ins from 127.0.0.1 on purpose
}

/** A JSON text that goes on and on: {"version": 0, "x": "aaaa... */
function jsonBomb(size: number): Buffer {
  const bytes = Buffer.alloc(size, 'a')
  bytes.write('{"version": 0, "x": "')
  return bytes
}

/** A mirror's disk: what an rsync left behind. */
function makeMirrorTree(root: string): void {
  for (const dir of ['linux/releases/41/Everything', 'linux/updates/41', 'linux/local-only', 'epel/9/Everything', 'epel/8', 'archive/fedora/new', 'alt/stuff']) {
    mkdirSync(join(root, dir), { recursive: true })
  }
  writeFileSync(join(root, 'linux/releases/41/Everything/repomd.xml'), '<repomd/>')
  symlinkSync(join(root, 'linux/releases'), join(root, 'linux/linkdir')) // not followed, not reported
}

interface IniOptions {
  server: string
  site?: string
  password?: string
  host?: string
  transport?: string
}

function writeIni(dir: string, root: string, options: IniOptions): string {
  const file = join(dir, `report_mirror-${Math.random().toString(36).slice(2)}.conf`)
  writeFileSync(
    file,
    `# report_mirror.conf as mirrors have it
[global]
enabled=1
server=${options.server}/xmlrpc
${options.transport ? `transport=${options.transport}\n` : ''}
[site]
enabled=1
name=${options.site ?? SITE}
password=${options.password ?? PASSWORD}

[host]
enabled=1
name=${options.host ?? PRIVATE_HOST}
user_active = 0

[stats]
enabled=0

[Fedora Linux]
enabled=1
path=${root}/linux

[Fedora EPEL]
enabled=1
path: ${root}/epel/

; the host carries it, but the operator switched it off: left as it is
[Fedora Archive]
enabled=0
path=${root}/archive

; the host does not carry it: ignored by the server
[Fedora Alt]
enabled=1
path=${root}/alt
`,
  )
  return file
}

function python(script: string, args: string[], input = ''): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (text) => (stdout += text))
    child.stderr.setEncoding('utf8').on('data', (text) => (stderr += text))
    child.on('error', reject)
    child.on('close', (status) => resolve({ status, stdout, stderr }))
    child.stdin.end(input)
  })
}

/** The payload as the existing client builds it: configparser, os.walk, json.dumps. */
const PYTHON_BUILD_PAYLOAD = `
import configparser, json, os, sys
conf = configparser.ConfigParser()
conf.read(sys.argv[1])
exclude = [l.strip() for l in open(sys.argv[2]) if l.strip() and not l.strip().startswith('#')]
def gen_dirtree(path):
    tree = {}
    for dirpath, dirnames, filenames in os.walk(path):
        for d in list(dirnames):
            if any(p in os.path.join(dirpath, d, '') for p in exclude):
                dirnames.remove(d)
        short = dirpath[len(path):] if path.endswith('/') else dirpath[len(path) + 1:]
        tree[short] = {}
    return tree
config = {'version': 0, 'global': {}, 'site': {}, 'host': {}, 'stats': {}}
for section, options in [('global', ['enabled', 'server']), ('site', ['enabled', 'name', 'password']), ('host', ['enabled', 'name', 'user_active'])]:
    for option in options:
        if conf.has_option(section, option):
            config[section][option] = conf.get(section, option)
for section in conf.sections():
    if section in ('global', 'site', 'host', 'stats') or conf.get(section, 'enabled') != '1':
        continue
    config[section.lower()] = {'enabled': '1', 'dirtree': gen_dirtree(conf.get(section, 'path'))}
sys.stdout.write(json.dumps(config))
`

/** Sends stdin as the existing client does: bz2, urlsafe base64, xmlrpc.client. */
const PYTHON_SEND = `
import base64, bz2, sys, xmlrpc.client
data = base64.urlsafe_b64encode(bz2.compress(sys.stdin.buffer.read())).decode()
if sys.argv[2] == 'pickle':
    import pickle
    data = base64.urlsafe_b64encode(bz2.compress(pickle.dumps({'version': 0}, int(sys.argv[3])))).decode()
sys.stdout.write(xmlrpc.client.ServerProxy(sys.argv[1]).checkin(data))
`

async function post(url: string, body: string | Buffer, headers: Record<string, string> = { 'content-type': 'text/xml' }) {
  const response = await fetch(url, { method: 'POST', body, headers })
  return { status: response.status, text: await response.text(), headers: response.headers }
}

/** Slowloris: sends half a request and never the rest; resolves with what the server said when it hung up. */
function slowClient(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const { port } = new URL(url)
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write('POST /xmlrpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n<methodCall>')
    })
    let received = ''
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error('the server kept a stalled request open for 60 s'))
    }, 60_000)
    socket.setEncoding('utf8').on('data', (text: string) => (received += text))
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(received)
    })
    socket.on('error', () => {})
  })
}

const xmlString = (text: string) =>
  `<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><string>${text}</string></value>\n</param>\n</params>\n</methodResponse>\n`

const BAD_CREDENTIALS = 'Config file site name or password incorrect.\nerror checking in'

for (const kind of databaseKinds()) {
  t.test(`check-ins on the ${kind} database`, async (t) => {
    const db = await openTestDatabase(kind)
    const work = mkdtempSync(join(tmpdir(), 'mm-checkin-'))
    t.teardown(async () => {
      await db.destroy()
      rmSync(work, { recursive: true, force: true })
    })
    await seedCheckinDatabase(db.sql)
    const root = join(work, 'mirror')
    makeMirrorTree(root)
    const exclude = join(work, 'exclude')
    writeFileSync(exclude, '# EPEL 8 is not mirrored here\n/epel/8/\n')
    const before = await snapshotTables(db.sql)
    await db.disconnect() // the server holds the embedded database

    const serverEnv = { ...db.env, ...SERVER_ENV }
    const client = (ini: string, extra: string[] = [], env: Record<string, string | undefined> = NO_PROXY_ENV) =>
      runCli(['report-mirror', '-c', ini, '--exclude-from', exclude, '--retries', '0', ...extra], { env })

    // The refusals are the server's and the client's, whatever the database: checked on one
    // (cliDatabaseKind); the check-ins themselves write, and run on both.
    if (kind === cliDatabaseKind()) await t.test('refusals change nothing in the database', async (t) => {
      const server = await startServeCheckin(serverEnv)
      const ini = (options: Partial<IniOptions>) => writeIni(work, root, { server: server.url, ...options })
      try {
        const wrongPassword = await client(ini({ password: 'wrong-pw-Zq9' }))
        t.equal(wrongPassword.status, 9, 'wrong password: exit 9')
        t.equal(wrongPassword.stdout, `${BAD_CREDENTIALS}\n`)
        t.match(wrongPassword.stderr, /MM_REMOTE_REFUSED/)
        const unknownSite = await client(ini({ site: 'No Such Site' }))
        t.equal(unknownSite.status, 9)
        t.equal(unknownSite.stdout, wrongPassword.stdout, 'an unknown site gets the same reply as a wrong password')

        const unknownHost = await client(ini({ host: OTHER_SITE_HOST }))
        t.equal(unknownHost.status, 9, 'a host of another site is unknown')
        t.equal(unknownHost.stdout, 'Config file host name for site not found.\nerror checking in\n')
        const publicHost = await client(ini({ host: PUBLIC_HOST }))
        t.equal(publicHost.status, 9, 'public host refused by the private-only policy')
        t.equal(publicHost.stdout, 'Only private mirrors are allowed to use report_mirror.\nerror checking in\n')

        const wrongOverJson = await post(`${server.url}/api/checkin`, gzipSync(JSON.stringify({
          version: 0, global: { enabled: '1' }, site: { name: SITE, password: 'wrong' }, host: { name: PRIVATE_HOST },
        })), { 'content-type': 'application/json', 'content-encoding': 'gzip' })
        t.equal(wrongOverJson.status, 403, 'JSON endpoint: wrong password is 403')
        t.same(JSON.parse(wrongOverJson.text), { ok: false, error: 'auth', reply: BAD_CREDENTIALS })

        const xmlrpc = `${server.url}/xmlrpc`
        const fault = (code: number) => new RegExp(`<name>faultCode</name>\\n<value><int>${code}</int>`)
        t.match((await post(xmlrpc, '<methodCall><methodName>checkin</methodName><params>')).text, fault(-32700), 'malformed XML: parse fault')
        t.match((await post(xmlrpc, '<!DOCTYPE x [<!ENTITY a "b">]><methodCall/>')).text, fault(-32700), 'DTDs refused')
        t.match((await post(xmlrpc, renderMethodCall('system.listMethods', []))).text, fault(-32601), 'unknown method')
        t.match((await post(xmlrpc, renderMethodCall('checkin', ['a', 'b']))).text, fault(-32602), 'two parameters')
        const intParam = '<methodCall><methodName>checkin</methodName><params><param><value><int>1</int></value></param></params></methodCall>'
        t.match((await post(xmlrpc, intParam)).text, fault(-32602), 'an int parameter')

        const wire = await encodeLegacyWire(JSON.stringify({ version: 0 }))
        const truncated = await post(xmlrpc, renderMethodCall('checkin', [wire.slice(0, 30)]))
        t.equal(truncated.text, xmlString('The check-in data is not valid bzip2 (truncated or corrupt).\nerror checking in'), 'truncated base64')
        const notBase64 = await post(xmlrpc, renderMethodCall('checkin', ['%%% not base64 %%%']))
        t.equal(notBase64.text, xmlString('The check-in data is not urlsafe base64.\nerror checking in'))

        // JSON-shaped, so the identity scan reads on until the cap: {"version": 0, "x": "aaaa...
        const bomb = (await bzip2Compress(jsonBomb(64 * 1024 * 1024))).toString('base64').replaceAll('+', '-').replaceAll('/', '_')
        t.ok(bomb.length < 4096, `the bomb is small (${bomb.length} bytes) and expands to 64 MiB`)
        const bombed = await post(xmlrpc, renderMethodCall('checkin', [bomb]))
        t.equal(bombed.text, xmlString(`The check-in data decompresses to more than ${1024 * 1024} bytes.\nerror checking in`), 'bzip2 bomb refused')
        t.equal((await fetch(`${server.url}/healthz`)).status, 200, 'the server is still up after the bomb')
        const gzipBomb = await post(`${server.url}/api/checkin`, gzipSync(jsonBomb(16 * 1024 * 1024)), {
          'content-type': 'application/json',
          'content-encoding': 'gzip',
        })
        t.equal(gzipBomb.status, 413, 'gzip bomb on the JSON endpoint: 413')
        t.equal(JSON.parse(gzipBomb.text).error, 'too-large')

        const oversize = await post(xmlrpc, 'x'.repeat(300 * 1024))
        t.equal(oversize.status, 413, 'oversize body: 413')

        for (const protocol of ['0', '2']) {
          const pickled = await python(PYTHON_SEND, [xmlrpc, 'pickle', protocol])
          t.equal(pickled.status, 0, pickled.stderr)
          t.equal(
            pickled.stdout,
            'Pickled check-in data is no longer accepted (it is unsafe to load). Please update report_mirror to a version that sends JSON.\nerror checking in',
            `pickle protocol ${protocol} refused, never loaded`,
          )
        }
        const version1 = await post(xmlrpc, renderMethodCall('checkin', [await encodeLegacyWire('{"version": 1}')]))
        t.match(version1.text, /config file version is not 0, is 1\.\nInvalid config file provided/)

        for (const reply of [bombed.text, truncated.text, gzipBomb.text]) t.notMatch(reply, /\n\s+at /, 'no stack trace in replies')

        const slow = await slowClient(server.url)
        t.match(slow, /^HTTP\/1\.1 408/, 'a client that never finishes its request is cut off (checkin.request_timeout)')
      } finally {
        await server.stop()
      }
      t.match(server.stderr(), /check-in refused \(from 127\.0\.0\.1, site "Example\.com", host "mirror\.example\.com"\): auth: /, 'refusals are logged with the names sent')
      t.notMatch(server.stderr(), /wrong-pw-Zq9/, 'never the password')
      await db.reconnect()
      t.equal(await snapshotTables(db.sql), before, 'no table changed')
      await db.disconnect()
    })

    await t.test('first check-in: updated, added, deleted as in the spec; then the Python-built payload', async (t) => {
      const server = await startServeCheckin(serverEnv)
      const ini = writeIni(work, root, { server: server.url })
      const output = join(work, 'payload.json')
      try {
        const first = await client(ini, ['-o', output])
        t.equal(first.status, 0, first.stderr)
        t.equal(
          first.stdout,
          'Category Fedora Linux directories updated: 2  added: 4  deleted 1\n' +
            'Category Fedora EPEL directories updated: 0  added: 3  deleted 0\n' +
            'checked in successful\n',
        )

        const built = await python(PYTHON_BUILD_PAYLOAD, [ini, exclude])
        t.equal(built.status, 0, built.stderr)
        t.equal(readFileSync(output, 'utf8'), built.stdout, 'our payload is byte-identical to the one Python builds')
        const sent = await python(PYTHON_SEND, [`${server.url}/xmlrpc`, 'json'], built.stdout)
        t.equal(sent.status, 0, sent.stderr)
        t.equal(
          sent.stdout,
          'Category Fedora Linux directories updated: 6  added: 0  deleted 0\n' +
            'Category Fedora EPEL directories updated: 3  added: 0  deleted 0\n' +
            'checked in successful',
          'a payload from python3 xmlrpc.client + bz2 + base64 + json is accepted',
        )
      } finally {
        await server.stop()
      }
      const sql = await db.reconnect()
      t.same(await hostDirectories(sql, PRIVATE_HOST), [
        { category: 'Fedora Archive', path: '', up2date: false },
        { category: 'Fedora Archive', path: 'fedora', up2date: false },
        { category: 'Fedora EPEL', path: '', up2date: true },
        { category: 'Fedora EPEL', path: '9', up2date: true },
        { category: 'Fedora EPEL', path: '9/Everything', up2date: true },
        { category: 'Fedora Linux', path: '', up2date: true },
        { category: 'Fedora Linux', path: 'releases', up2date: true },
        { category: 'Fedora Linux', path: 'releases/41', up2date: true },
        { category: 'Fedora Linux', path: 'releases/41/Everything', up2date: true },
        { category: 'Fedora Linux', path: 'updates', up2date: true },
        { category: 'Fedora Linux', path: 'updates/41', up2date: true },
      ], 'excluded, symlinked, unknown and disabled-category directories are not added; the disabled category is untouched')
      t.same(await hostDirectories(sql, PUBLIC_HOST), [], 'the public host is untouched')
      const [host] = await sql<{ lastCheckedIn: Date | null; userActive: boolean }[]>`
        select last_checked_in, user_active from host where name = ${PRIVATE_HOST}`
      t.ok(host.lastCheckedIn, 'last_checked_in is set')
      t.equal(host.userActive, false, 'user_active = 0 applied')
      await db.disconnect()
    })

    await t.test('second check-in after directories disappear, through a proxy, then over JSON', async (t) => {
      rmSync(join(root, 'linux/updates'), { recursive: true })
      const server = await startServeCheckin(serverEnv)
      const proxy = await startTestProxy()
      const ini = writeIni(work, root, { server: server.url })
      try {
        const viaProxy = await client(ini, [], { ...NO_PROXY_ENV, http_proxy: proxy.url, HTTP_PROXY: proxy.url })
        t.equal(viaProxy.status, 0, viaProxy.stderr)
        t.equal(
          viaProxy.stdout,
          'Category Fedora Linux directories updated: 4  added: 0  deleted 2\n' +
            'Category Fedora EPEL directories updated: 3  added: 0  deleted 0\n' +
            'checked in successful\n',
        )
        const port = new URL(server.url).port
        t.ok(
          proxy.seen.some((line) => line === `CONNECT 127.0.0.1:${port}` || line === `POST ${server.url}/xmlrpc`),
          `the proxy carried the check-in (${proxy.seen.join(', ')})`,
        )
        const json = await client(writeIni(work, root, { server: server.url, transport: 'json' }))
        t.equal(json.status, 0, json.stderr)
        t.equal(
          json.stdout,
          'Category Fedora Linux directories updated: 4  added: 0  deleted 0\n' +
            'Category Fedora EPEL directories updated: 3  added: 0  deleted 0\n' +
            'checked in successful\n',
          'the JSON transport applies the same rules',
        )
        const replayed = await client(ini, ['-i', join(work, 'payload.json')])
        t.equal(replayed.status, 0, replayed.stderr)
        t.equal(
          replayed.stdout,
          'Category Fedora Linux directories updated: 4  added: 2  deleted 0\n' +
            'Category Fedora EPEL directories updated: 3  added: 0  deleted 0\n' +
            'checked in successful\n',
          '-i sends the trees of a saved payload (written by -o) instead of walking the disk',
        )
        t.match(server.stderr(), /check-in of mirror\.example\.com/, 'the server logs check-ins')
      } finally {
        await proxy.close()
        await server.stop()
      }
      const sql = await db.reconnect()
      const linux = (await hostDirectories(sql, PRIVATE_HOST)).filter((d) => d.category === 'Fedora Linux').map((d) => d.path)
      t.same(linux, ['', 'releases', 'releases/41', 'releases/41/Everything', 'updates', 'updates/41'])
      await db.disconnect()
    })

    await t.test('client errors: config (3) and network (10)', async (t) => {
      const missing = await client(join(work, 'nope.conf'))
      t.equal(missing.status, 3, 'missing config file: exit 3')
      t.match(missing.stderr, /cannot read the configuration file/)
      const badTree = writeIni(work, join(work, 'no-such-tree'), { server: 'http://127.0.0.1:9' })
      t.equal((await client(badTree)).status, 3, 'a category path that is not a directory: exit 3 (never an empty tree)')
      const unreachable = writeIni(work, root, { server: 'http://127.0.0.1:9' })
      const network = await client(unreachable)
      t.equal(network.status, 10, 'nothing listening: exit 10')
      t.match(network.stderr, /MM_NETWORK/)
      const dry = await client(unreachable, ['-n', '--json'])
      t.equal(dry.status, 0, '-n builds without sending')
      t.same(JSON.parse(dry.stdout).categories, [
        { name: 'fedora linux', directories: 5 },
        { name: 'fedora epel', directories: 3 },
        { name: 'fedora alt', directories: 2 },
      ])
      // issue 22: -n without -o printed nothing.
      const human = await client(unreachable, ['-n'])
      t.equal(human.status, 0, human.stderr)
      t.match(human.stdout, /^would send to http:\/\/127\.0\.0\.1:9\/xmlrpc \(not sent: -n\)\n/)
      t.match(human.stdout, /\nhost: \S+\n/)
      t.match(human.stdout, /\ncategories:\n  fedora linux: 5 directories\n  fedora epel: 3 directories\n  fedora alt: 2 directories\n/)
    })
  })
}

t.test('report-mirror retries 5xx replies with backoff, then gives up with exit 10', async (t) => {
  let requests = 0
  const flaky = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      requests++
      if (requests <= 2) return res.writeHead(503).end('busy')
      res.writeHead(200, { 'content-type': 'text/xml' }).end(xmlString('checked in successful'))
    })
  })
  await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => flaky.close(() => resolve())))
  const work = mkdtempSync(join(tmpdir(), 'mm-checkin-retry-'))
  t.teardown(() => rmSync(work, { recursive: true, force: true }))
  makeMirrorTree(join(work, 'mirror'))
  const ini = writeIni(work, join(work, 'mirror'), { server: `http://127.0.0.1:${(flaky.address() as AddressInfo).port}` })
  const run = (retries: string) => runCli(['report-mirror', '-c', ini, '--retries', retries, '--retry-delay', '0'], { env: NO_PROXY_ENV })

  const gaveUp = await run('1')
  t.equal(gaveUp.status, 10, 'two 503s with one retry: exit 10')
  t.equal(requests, 2)
  t.match(gaveUp.stderr, /HTTP 503/)
  requests = 0
  const retried = await run('2')
  t.equal(retried.status, 0, retried.stderr)
  t.equal(retried.stdout, 'checked in successful\n')
  t.equal(requests, 3, 'two retries after two 503s')
  t.match(retried.stderr, /attempt 1 failed \(HTTP 503 from the server\); retrying/)
})

t.test('INI files mean to us what they mean to Python configparser', async (t) => {
  const text = [
    '# report_mirror.conf with every oddity mirrors have in the field',
    '[DEFAULT]',
    'Enabled = 1',
    'base: /srv/pub',
    '',
    '[global]',
    'server = https://mm.example.org/xmlrpc  ',
    '  ; an indented comment',
    '',
    '[site]',
    'NAME=Example.com',
    'password = 100%% secret=yes: %(name)s',
    'empty =',
    '',
    '[Fedora Linux]',
    'path = %(base)s/fedora/linux',
    'enabled=0          (ignored)',
    'note = first line',
    '   second line',
    '',
    '   third after a blank',
    '',
    '[host]',
    'name :mirror.example.com',
  ].join('\n')
  const work = mkdtempSync(join(tmpdir(), 'mm-ini-'))
  t.teardown(() => rmSync(work, { recursive: true, force: true }))
  const file = join(work, 'tricky.conf')
  writeFileSync(file, text)
  const python = spawnSync('python3', ['-c', `
import configparser, json, sys
c = configparser.ConfigParser()
c.read(sys.argv[1])
print(json.dumps({s: {o: c.get(s, o) for o in c.options(s)} for s in c.sections()}))
`, file], { encoding: 'utf8' })
  t.equal(python.status, 0, python.stderr)
  const ini = parseIni(text, file)
  const ours = Object.fromEntries(ini.sections.map((s) => [s, Object.fromEntries(ini.options(s).map((o) => [o, ini.get(s, o)]))]))
  t.same(ours, JSON.parse(python.stdout))
})
