/**
 * Other clients than dnf, end to end over real HTTP: Metalink 4 checked against the RFC
 * 5854 grammar (xmllint --relaxng, test/fixtures/metalink4.rng) and followed by a real
 * aria2c download from a mirror on 127.0.0.1; RFC 6249 headers on a redirect (GET and
 * HEAD); format=json; X-MirrorManager-Snapshot on every answer; /healthz going "stale"
 * past --max-snapshot-age while answers go on.
 */
import t from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join, normalize } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { runCli } from '../helpers/cli.js'
import { databaseKinds, openTestDatabase } from '../helpers/database.js'
import { buildNetwork, OS_REL, REPODATA_DIR } from '../helpers/mirror-database.js'
import { get, startServer } from '../helpers/mirrorlist-server.js'

const SCHEMA = join(import.meta.dirname, '..', 'fixtures', 'metalink4.rng')
const have = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0
const missing = ['xmllint', 'aria2c'].filter((tool) => !have(tool))

async function staticMirror(root: string): Promise<{ server: Server; port: number; requests: string[] }> {
  const requests: string[] = []
  const server = createServer((request, response) => {
    const path = decodeURIComponent((request.url ?? '/').split('?')[0]!)
    requests.push(path)
    const file = normalize(join(root, path))
    try {
      if (!file.startsWith(root) || !statSync(file).isFile()) throw new Error('not a file')
      const body = readFileSync(file)
      response.writeHead(200, { 'Content-Length': body.length })
      response.end(request.method === 'HEAD' ? undefined : body)
    } catch {
      response.writeHead(404)
      response.end()
    }
  })
  server.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const address = server.address()
  return { server, port: typeof address === 'object' && address ? address.port : 0, requests }
}

function run(command: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000)
  return new Promise((resolve) =>
    child.on('close', (status) => {
      clearTimeout(timer)
      resolve({ status, stdout, stderr })
    }),
  )
}

const digest = (algorithm: string, data: Buffer) => createHash(algorithm).update(data).digest('hex')

t.test('Metalink 4, aria2c, RFC 6249, JSON, freshness', { skip: missing.length ? `not installed: ${missing.join(', ')} (CI installs the Debian packages aria2 and libxml2-utils)` : false }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mm-clients-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const content = Buffer.from(`<repomd>${'x'.repeat(5000)}</repomd>\n`)
  mkdirSync(join(dir, 'tree', 'fedora', OS_REL, 'repodata'), { recursive: true })
  writeFileSync(join(dir, 'tree', 'fedora', OS_REL, 'repodata', 'repomd.xml'), content)
  const mirror = await staticMirror(join(dir, 'tree'))
  t.teardown(() => void mirror.server.close())

  const db = await openTestDatabase(databaseKinds()[0]!)
  t.teardown(() => db.destroy())
  const detail = { timestamp: 1732000000, size: content.length, md5: digest('md5', content), sha1: digest('sha1', content), sha256: digest('sha256', content), sha512: digest('sha512', content) }
  await buildNetwork(db.sql, [{ timestamp: 1731000000, size: 10, sha256: 'c'.repeat(64) }, detail], [
    { site: 'local', host: 'local.mirror', country: 'SE', urls: [`http://127.0.0.1:${mirror.port}/fedora`], bandwidth: 1000 },
    { site: 'other', host: 'other.mirror', country: 'DE', urls: ['http://127.0.0.1:9/fedora'], bandwidth: 1 },
  ])
  await db.disconnect()
  const snapshot = join(dir, 'mirrorlist.avro')
  const generated = await runCli(['generate-snapshot', '-o', snapshot], { env: db.env })
  t.equal(generated.status, 0, generated.stderr)

  const server = await startServer(['--snapshot', snapshot, '--workers', '1', '--max-snapshot-age', '2', '--country-continent', '/dev/null'])
  t.teardown(async () => {
    server.child.kill('SIGTERM')
    await server.exited
  })
  const port = server.port
  const query = 'repo=fedora-41&arch=x86_64&country=se,de'

  const viaPath = await get(port, `/metalink4?${query}`)
  t.equal(viaPath.status, 200)
  t.equal(viaPath.headers['content-type'], 'application/metalink4+xml')
  const viaAccept = await get(port, `/metalink?${query}`, { headers: { Accept: 'application/metalink4+xml' } })
  t.equal(viaAccept.headers['content-type'], 'application/metalink4+xml', 'Accept on /metalink')
  t.equal(viaAccept.headers.vary, 'Accept')
  const document = join(dir, 'answer.meta4')
  writeFileSync(document, viaPath.body)
  const valid = spawnSync('xmllint', ['--noout', '--relaxng', SCHEMA, document], { encoding: 'utf8' })
  t.equal(valid.status, 0, `valid against RFC 5854's grammar: ${valid.stderr}`)
  writeFileSync(join(dir, 'broken.meta4'), viaPath.body.replace('priority="1"', 'priority="0"'))
  t.not(spawnSync('xmllint', ['--noout', '--relaxng', SCHEMA, join(dir, 'broken.meta4')]).status, 0, 'the grammar does reject a bad document')

  // aria2c follows the metalink (by its content type), downloads from the local mirror and checks the sha-256
  const out = join(dir, 'download')
  // asynchronous: the mirror is served by this very process
  const aria = await run('aria2c', [
    '--no-conf', '--dir', out, '--console-log-level=warn', '--summary-interval=0', '--max-tries=2', '--retry-wait=0',
    '--connect-timeout=10', '--timeout=30', '--enable-dht=false', '--async-dns=false', '--metalink-location=se',
    `http://127.0.0.1:${port}/metalink4?${query}`,
  ])
  t.equal(aria.status, 0, `aria2c downloaded through the metalink: ${aria.stdout}${aria.stderr}`)
  t.same(readFileSync(join(out, 'repomd.xml')), content, 'the mirror\'s file, byte for byte')
  t.ok(mirror.requests.includes(`/fedora/${OS_REL}/repodata/repomd.xml`), 'fetched from the local mirror')

  const redirectPath = `/mirrorlist?path=${REPODATA_DIR}/repomd.xml&redirect=1&country=se,de`
  for (const method of ['GET', 'HEAD']) {
    const redirect = await get(port, redirectPath, { method })
    t.equal(redirect.status, 302, method)
    t.equal(redirect.headers.location, `http://127.0.0.1:${mirror.port}/fedora/${OS_REL}/repodata/repomd.xml`, `${method}: bandwidth 1000 vs 1 is nearly always first`)
    t.equal(redirect.headers.link, `<http://127.0.0.1:9/fedora/${OS_REL}/repodata/repomd.xml>; rel=duplicate; pri=1; geo=de`, `${method}: RFC 6249 Link`)
    t.equal(redirect.headers.digest, `SHA-256=${createHash('sha256').update(content).digest('base64')}`, `${method}: RFC 3230 Digest`)
    t.equal(redirect.body, '', `${method}: no body`)
  }

  const json = await get(port, `/mirrorlist?${query}&format=json`)
  t.equal(json.headers['content-type'], 'application/json')
  const list = JSON.parse(json.body) as { snapshot: number; mirrors: { host: string; tier: string }[] }
  t.same(list.mirrors.map((m) => m.host).sort(), ['local.mirror', 'other.mirror'])
  t.equal(String(list.snapshot), json.headers['x-mirrormanager-snapshot'], 'the snapshot time, as in the header')

  for (const path of [`/mirrorlist?${query}`, '/mirrorlist', '/nothing', '/healthz']) {
    t.match((await get(port, path)).headers['x-mirrormanager-snapshot'], /^\d{10}$/, `X-MirrorManager-Snapshot on ${path}`)
  }
  // the snapshot's age only grows: once past 2 s, /healthz is 503 "stale", and answers go on
  let health = await get(port, '/healthz')
  while ((JSON.parse(health.body) as { snapshot: { ageSeconds: number } }).snapshot.ageSeconds <= 2) {
    await sleep(500)
    health = await get(port, '/healthz')
  }
  t.equal(health.status, 503)
  t.match(JSON.parse(health.body), { status: 'stale', maxSnapshotAge: 2 })
  t.equal((await get(port, `/mirrorlist?${query}`)).status, 200, 'a stale snapshot still answers')
})
