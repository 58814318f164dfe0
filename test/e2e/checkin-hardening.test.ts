/**
 * Regression tests of issue 15 (a hostile network against serve-checkin), on every
 * database kind. Clients come from several loopback addresses (127.0.0.x bound as the
 * source; the server listens on 127.0.0.1), since limits are per client address.
 * Stall lengths and memory are measured in bench/checkin/, not asserted here.
 */
import t from 'tap'
import { request } from 'node:http'
import { connect, type Socket } from 'node:net'
import { gzipSync } from 'node:zlib'
import { encodeLegacyWire } from '../../src/lib/checkin/legacy-wire.js'
import { renderMethodCall } from '../../src/lib/checkin/xmlrpc.js'
import { cliDatabaseKind, openTestDatabase } from '../helpers/database.js'
import { PASSWORD, PRIVATE_HOST, seedCheckinDatabase, SITE, startServeCheckin } from '../helpers/checkin.js'

const BAD_CREDENTIALS = 'Config file site name or password incorrect.\nerror checking in'
// The cap the server runs with here (checkin.max_payload_bytes): small enough that eight forged
// payloads of nearly that size cost seconds, not tens of seconds, of CPU; the rules do not scale with it.
const MAX_PAYLOAD = 1024 * 1024

interface Reply {
  status: number
  text: string
}

/** POST from a chosen source address. */
function post(url: string, body: string | Buffer, from: string, headers: Record<string, string> = { 'content-type': 'text/xml' }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, localAddress: from, agent: false }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

function get(url: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
    })
      .on('error', reject)
      .end()
  })
}

const xmlString = (text: string) => `<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><string>${text}</string></value>\n</param>\n</params>\n</methodResponse>\n`

function config(site: string, password: string, dirtree: Record<string, object> = { '': {}, releases: {} }) {
  return { version: 0, global: { enabled: '1', server: 'x' }, site: { enabled: '1', name: site, password }, host: { enabled: '1', name: PRIVATE_HOST }, stats: {}, 'fedora linux': { enabled: '1', dirtree } }
}

/** A legacy XML-RPC call of this JSON text. */
async function legacyCall(json: string): Promise<string> {
  return renderMethodCall('checkin', [await encodeLegacyWire(json)])
}

/** A dirtree of `bytes` bytes or so: distinct names, as a real (or forged) mirror would list. */
function bigDirtree(bytes: number): string {
  const parts: string[] = []
  let size = 0
  for (let i = 0; size < bytes; i++) {
    const entry = `"pub/fedora/linux/updates/41/Everything/x86_64/Packages/${(i * 2654435761 % 4294967296).toString(36)}/${i}": {}`
    parts.push(entry)
    size += entry.length + 2
  }
  return `{${parts.join(', ')}}`
}

/** Opens a connection from `from` and sends headers promising `length` bytes, then one byte now and then. */
function trickle(url: string, from: string, length = 100 * 1024): { socket: Socket; reply: Promise<string> } {
  const { port } = new URL(url)
  const socket = connect({ port: Number(port), host: '127.0.0.1', localAddress: from })
  socket.on('connect', () => socket.write(`POST /xmlrpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nContent-Length: ${length}\r\n\r\n<`))
  const timer = setInterval(() => socket.writable && socket.write(' '), 500)
  let received = ''
  socket.setEncoding('utf8').on('data', (text: string) => (received += text))
  socket.on('error', () => {})
  const reply = new Promise<string>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer)
      resolve(received)
    }),
  )
  return { socket, reply }
}

// The CLI and its servers are the subject here, not the database (the integration files run
// the library on both): one database, the server when there is one (cliDatabaseKind).
for (const kind of [cliDatabaseKind()]) {
  t.test(`serve-checkin under a hostile network (${kind} database)`, async (t) => {
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    await seedCheckinDatabase(db.sql)
    await db.disconnect() // the server holds the embedded database
    const server = await startServeCheckin({
      ...db.env,
      MM_CHECKIN_MAX_PAYLOAD_BYTES: String(MAX_PAYLOAD),
      MM_CHECKIN_BODY_TIMEOUT: '4',
      MM_CHECKIN_REQUEST_TIMEOUT: '120',
    })
    t.teardown(() => server.stop())
    const xmlrpc = `${server.url}/xmlrpc`
    const good = await legacyCall(JSON.stringify(config(SITE, PASSWORD)))
    const goodReply = /checked in successful<\/string>/

    await t.test('defect 1: a wrong password is refused before the payload is decompressed', async (t) => {
      // Identity first (as report_mirror sends it), then a dirtree twice the decompressed cap.
      const tree = bigDirtree(2 * MAX_PAYLOAD)
      const wrong = JSON.stringify(config(SITE, 'wrong')).replace(/"fedora linux":.*$/, `"fedora linux": {"enabled": "1", "dirtree": ${tree}}}`)
      t.equal((await post(xmlrpc, await legacyCall(wrong), '127.0.0.2')).text, xmlString(BAD_CREDENTIALS), 'refused for the password, not for the size: the dirtree was never read')
      t.ok(wrong.length > 2 * MAX_PAYLOAD, 'the payload is larger than the cap')
      const right = wrong.replace('"password":"wrong"', `"password":"${PASSWORD}"`)
      t.equal(
        (await post(xmlrpc, await legacyCall(right), '127.0.0.1')).text,
        xmlString(`The check-in data decompresses to more than ${MAX_PAYLOAD} bytes.\nerror checking in`),
        'with the right password it is read, and the cap still holds',
      )

      // The Python 2 client's key order: the identity after the dirtree. Eight at once.
      const late = `{"fedora linux": {"enabled": "1", "dirtree": ${bigDirtree(MAX_PAYLOAD - 4096)}}, "version": 0, "global": {"enabled": "1"}, "site": {"name": "${SITE}", "password": "wrong"}, "host": {"name": "${PRIVATE_HOST}"}}`
      const hostileCall = await legacyCall(late)
      const hostile = Array.from({ length: 8 }, (_, i) => post(xmlrpc, hostileCall, `127.0.0.${10 + i}`))
      const health = await get(`${server.url}/healthz`)
      const real = await post(xmlrpc, good, '127.0.0.1')
      t.equal(health.status, 200, '/healthz answers while they are decoded')
      t.match(real.text, goodReply, 'a correct check-in from another address is accepted (not 503)')
      // Refused for the password, or (on a machine loaded enough) for taking too long: refused.
      for (const reply of await Promise.all(hostile)) t.match(reply.text, /\nerror checking in<\/string>/, 'each hostile check-in is refused')
    })

    await t.test('defect 2: failures from one address never lock a site out for another', async (t) => {
      const wrong = await legacyCall(JSON.stringify(config(SITE, 'guess')))
      const replies: string[] = []
      for (let i = 0; i < 12; i++) replies.push((await post(xmlrpc, wrong, '127.0.0.3')).text)
      t.equal(replies[9], xmlString(BAD_CREDENTIALS), 'ten failures are answered normally')
      t.match(replies[10], /Too many failed check-ins from your address; try again in \d+ seconds\.\nerror checking in/, 'then the address is limited')
      t.match((await post(xmlrpc, good, '127.0.0.1')).text, goodReply, "the site's own check-in from its address succeeds")

      const rotating: Reply[] = []
      for (let i = 0; i < 12; i++) {
        const body = gzipJson(config(`No Such Site ${i}`, 'x'))
        rotating.push(await post(`${server.url}/api/checkin`, body, '127.0.0.4', { 'content-type': 'application/json', 'content-encoding': 'gzip' }))
      }
      t.same(rotating.slice(0, 10).map((r) => r.status), Array(10).fill(403), 'unknown sites: the same 403 as a wrong password')
      t.equal(rotating[10].status, 429, 'rotating site names does not escape the limit')
    })

    await t.test('defect 3: slow uploads hold no check-in slot', async (t) => {
      // Eight trickling uploads from eight addresses (max_in_flight is 8).
      const slow = Array.from({ length: 8 }, (_, i) => trickle(server.url, `127.0.0.${30 + i}`))
      await new Promise((resolve) => setTimeout(resolve, 1000))
      t.match((await post(xmlrpc, good, '127.0.0.1')).text, goodReply, 'a real check-in is accepted, not 503')
      for (const { reply } of slow) t.match(await reply, /^HTTP\/1\.1 408 /, 'a body slower than checkin.body_timeout gets 408')

      // One address may hold checkin.max_connections_per_address (4) connections.
      const four = Array.from({ length: 4 }, () => trickle(server.url, '127.0.0.40'))
      await new Promise((resolve) => setTimeout(resolve, 500))
      const fifth = trickle(server.url, '127.0.0.40')
      t.equal(await fifth.reply, '', 'a fifth connection from the same address is closed at once')
      t.match((await post(xmlrpc, good, '127.0.0.41')).text, /<methodResponse>/, 'another address is served meanwhile')
      for (const { socket } of four) socket.destroy()
    })

    await t.test('defect 7: NUL bytes and other odd input get a clear refusal, never a 500', async (t) => {
      const json = (value: unknown, from: string) =>
        post(`${server.url}/api/checkin`, JSON.stringify(value), from, { 'content-type': 'application/json' })
      const nulSite = await post(xmlrpc, await legacyCall(JSON.stringify(config('Exa\u0000mple', 'x'))), '127.0.0.50')
      t.equal(nulSite.status, 200)
      t.match(nulSite.text, /config file \[site\] option name contains control characters\.\nInvalid config file provided/, 'NUL in the site name: a refusal')
      const nulSiteJson = await json(config('Exa\u0000mple', 'x'), '127.0.0.50')
      t.equal(nulSiteJson.status, 400)
      t.equal(JSON.parse(nulSiteJson.text).error, 'malformed')
      const nulPath = await json(config(SITE, PASSWORD, { '': {}, 'releases\u0000/41': {} }), '127.0.0.1')
      t.equal(nulPath.status, 400, 'NUL in a path, logged in: 400')
      t.match(JSON.parse(nulPath.text).reply, /dirtree has a directory name with a NUL character/)
      const nulPathXml = await post(xmlrpc, await legacyCall(JSON.stringify(config(SITE, PASSWORD, { 'a\u0000': {} }))), '127.0.0.1')
      t.match(nulPathXml.text, /dirtree has a directory name with a NUL character/, 'the same over XML-RPC')

      t.equal((await json(config('x'.repeat(5000), 'x'), '127.0.0.51')).status, 400, 'an over-long site name: 400')
      t.equal((await json(config('Example\u0007', 'x'), '127.0.0.51')).status, 400, 'a control character in the site name: 400')
      const latin1 = await post(`${server.url}/api/checkin`, Buffer.from('{"version": 0, "site": {"name": "caf\xe9"}}', 'latin1'), '127.0.0.51', { 'content-type': 'application/json' })
      t.same([latin1.status, JSON.parse(latin1.text).reply], [400, 'The check-in data is not UTF-8 text.\nerror checking in'], 'invalid UTF-8 on /api/checkin: 400')
      const notUtf8 = await post(xmlrpc, Buffer.from('<methodCall><methodName>checkin\xff</methodName></methodCall>', 'latin1'), '127.0.0.52')
      t.match(notUtf8.text, /<name>faultCode<\/name>\n<value><int>-32700<\/int>/, 'invalid UTF-8 on /xmlrpc: an XML-RPC fault')
      const control = await post(xmlrpc, renderMethodCall('check\u0001in', []), '127.0.0.52')
      t.match(control.text, /<int>-32700<\/int>|<int>-32601<\/int>/, 'a control character in the method name: a fault')
      t.notMatch(control.text, /[\u0000-\u0008]/, 'and the fault is well-formed XML')
      t.notMatch(server.stderr(), /check-in failed/, 'no internal error was logged')
    })
  })
}

function gzipJson(value: unknown): Buffer {
  return gzipSync(JSON.stringify(value))
}
