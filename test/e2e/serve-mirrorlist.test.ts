/**
 * serve-mirrorlist end to end: a small network in a fresh database, `generate-snapshot`,
 * then `serve-mirrorlist` with 2 workers on a free port, asked over real HTTP.
 */
import t, { type Test } from 'tap'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { runCli } from '../helpers/cli.js'
import { databaseKinds, openTestDatabase, type DatabaseKind, type TestDatabase } from '../helpers/database.js'
import { addMirror, buildNetwork, OS_REL, type Network } from '../helpers/mirror-database.js'
import { get, startServer, type RunningServer } from '../helpers/mirrorlist-server.js'
import { contentSha256, readContainerHeader } from '../../src/lib/snapshot/container.js'

const GEOIP = join(import.meta.dirname, '..', 'fixtures', 'geoip', 'country-maxmind.mmdb')
const GEOIP_FLAT = join(import.meta.dirname, '..', 'fixtures', 'geoip', 'country-flat.mmdb')
const REPO = '/mirrorlist?repo=fedora-41&arch=x86_64'
const METALINK = '/metalink?repo=fedora-41&arch=x86_64'
const SE1 = `http://se1.example/fedora/${OS_REL}/`
const DE1 = `https://de1.example/pub/fedora/linux/${OS_REL}/`
const JP1 = `http://jp1.example/fedora/${OS_REL}/`
const US1 = `https://us1.example/fedora/${OS_REL}/`
const PRIVATE1 = `http://private1.example/fedora/${OS_REL}/`
const REPOMD = {
  timestamp: 1732000000,
  size: 3190,
  md5: 'd41d8cd98f00b204e9800998ecf8427e',
  sha256: 'a'.repeat(64),
  sha512: 'b'.repeat(128),
}
const OLDER_REPOMD = { timestamp: 1731900000, size: 3100, sha256: 'c'.repeat(64) }

async function generate(db: TestDatabase, file: string): Promise<void> {
  await db.disconnect()
  const result = await runCli(['generate-snapshot', '-o', file], { env: db.env })
  if (result.status !== 0) throw new Error(`generate-snapshot failed (${result.status}): ${result.stderr}`)
  await db.reconnect()
}

/** Lines of a plain mirror list (header first), without the trailing empty line. */
const lines = (body: string) => body.split('\n').filter((line) => line !== '')

async function setup(t: Test, kind: DatabaseKind): Promise<{ db: TestDatabase; dir: string; snapshot: string; network: Network }> {
  const dir = mkdtempSync(join(tmpdir(), 'mm-serve-'))
  const db = await openTestDatabase(kind)
  t.teardown(async () => {
    await db.destroy()
    rmSync(dir, { recursive: true, force: true })
  })
  const network = await buildNetwork(db.sql, [OLDER_REPOMD, REPOMD])
  const snapshot = join(dir, 'mirrorlist.avro')
  await generate(db, snapshot)
  return { db, dir, snapshot, network }
}

function stopAtEnd(t: Test, server: RunningServer): void {
  t.teardown(async () => {
    if (server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGTERM')
      await server.exited
    }
  })
}

t.test('answers: mirrorlist, metalink, country=, ip= netblock, GeoIP, X-Forwarded-For, redirect, errors, health, metrics, access log', async (t) => {
  const { dir, snapshot } = await setup(t, 'embedded')
  const umask = process.umask(0o022) // the usual one, inherited by the server
  t.teardown(() => void process.umask(umask))
  const accessLog = join(dir, 'access.log')
  const server = await startServer(['--snapshot', snapshot, '--workers', '2', '--geoip', GEOIP, '--log', accessLog, '--trust-proxy', '--minimum', '5'])
  stopAtEnd(t, server)
  const port = server.port

  t.test('country= restricts to that country, no global fill', async (t) => {
    const reply = await get(port, `${REPO}&country=se`)
    t.equal(reply.status, 200)
    t.match(reply.headers['content-type'], /^text\/plain/)
    t.same(lines(reply.body), ['# repo = fedora-41 arch = x86_64 country = se ', SE1])
  })

  t.test('a repository redirect answers for the target, with its name in the header', async (t) => {
    const reply = await get(port, '/mm/mirrorlist?repo=fedora-41-redirected&arch=x86_64&country=DE')
    t.same(lines(reply.body), ['# repo = fedora-41 arch = x86_64 country = DE ', DE1])
  })

  t.test('GeoIP country of the client (127.0.0.1 is SE in the test database), then continent, then global fill', async (t) => {
    const reply = await get(port, REPO)
    const [header, ...urls] = lines(reply.body)
    t.equal(header, '# repo = fedora-41 arch = x86_64 country = SE country = DE country = global ')
    t.same(urls.slice(0, 2), [SE1, DE1], 'own country first, then the same continent')
    t.same(urls.slice(2).sort(), [JP1, US1].sort(), 'then the rest of the world')
    t.notOk(urls.includes(PRIVATE1), 'a private host is never in the country tiers')
  })

  t.test('ip= inside a host netblock: the private host first', async (t) => {
    const reply = await get(port, `${REPO}&ip=10.99.3.4`)
    const [header, ...urls] = lines(reply.body)
    t.match(header, /^# repo = fedora-41 arch = x86_64 Using preferred netblock /)
    t.equal(urls[0], PRIVATE1)
  })

  t.test('X-Forwarded-For (trusted): the last element is the client', async (t) => {
    const reply = await get(port, REPO, { headers: { 'X-Forwarded-For': '10.99.0.1, 198.51.100.7' } })
    const [header, ...urls] = lines(reply.body)
    t.match(header, /^# repo = fedora-41 arch = x86_64 country = DE /, 'located in DE, not by the spoofed first element')
    t.equal(urls[0], DE1)
  })

  t.test('metalink: content type, main entry, alternate, every URL with preference and location', async (t) => {
    const reply = await get(port, `${METALINK}&country=se`)
    t.equal(reply.status, 200)
    t.equal(reply.headers['content-type'], 'application/metalink+xml')
    t.match(reply.body, /^<\?xml version="1.0" encoding="utf-8"\?>\n<metalink version="3.0" xmlns="http:\/\/www.metalinker.org\/" type="dynamic" pubdate="[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT" generator="mirrormanager" xmlns:mm0="http:\/\/fedorahosted.org\/mirrormanager">\n/)
    t.ok(reply.body.includes(`   <mm0:timestamp>${REPOMD.timestamp}</mm0:timestamp>\n   <size>${REPOMD.size}</size>\n   <verification>\n    <hash type="md5">${REPOMD.md5}</hash>\n    <hash type="sha256">${REPOMD.sha256}</hash>\n    <hash type="sha512">${REPOMD.sha512}</hash>\n   </verification>\n`), 'newest detail is the main entry, hashes in order, empty ones left out')
    t.ok(reply.body.includes(`<mm0:alternate>\n      <mm0:timestamp>${OLDER_REPOMD.timestamp}</mm0:timestamp>\n      <size>${OLDER_REPOMD.size}</size>`), 'the older detail is an alternate')
    t.ok(reply.body.includes(`<url protocol="http" type="http" location="SE" preference="100">${SE1}repodata/repomd.xml</url>`))
    t.ok(reply.body.includes(`<url protocol="rsync" type="rsync" location="SE" preference="100">rsync://se1.example/fedora/${OS_REL}/repodata/repomd.xml</url>`), 'rsync URLs are listed too')
    t.ok(reply.body.endsWith(' </files>\n</metalink>\n'))
  })

  t.test('explain=1 without --debug-selection: an ordinary answer', async (t) => {
    t.same(lines((await get(port, `${REPO}&country=se&explain=1`)).body), ['# repo = fedora-41 arch = x86_64 country = se ', SE1])
  })

  t.test('redirect=1: 302 to the first http(s) URL', async (t) => {
    const reply = await get(port, `${REPO}&country=DE&redirect=1`)
    t.equal(reply.status, 302)
    t.equal(reply.headers.location, DE1)
  })

  t.test('unknown repository: 404 with the list of known ones', async (t) => {
    const reply = await get(port, '/mirrorlist?repo=nope&arch=x86_64')
    t.equal(reply.status, 404)
    t.equal(reply.body, '# repo = nope arch = x86_64 error: invalid repo or arch\n# following repositories are available:\n# repo=fedora-41&arch=x86_64\n')
  })

  t.test('not a mirrorlist or metalink: 404 We don\'t serve their kind here!', async (t) => {
    const reply = await get(port, '/favicon.ico')
    t.equal(reply.status, 404)
    t.equal(reply.body, "We don't serve their kind here!")
  })

  t.test('an ip= that does not parse: 500 with the reference text', async (t) => {
    const reply = await get(port, `${REPO}&ip=999.1.2.3`)
    t.equal(reply.status, 500)
    t.equal(reply.body, 'Cannot parse client IP address. Aborting.')
  })

  t.test('hostile input: clear 4xx, the workers keep answering', async (t) => {
    t.equal((await get(port, `${REPO}&x=${'a'.repeat(5000)}`)).status, 414, 'overlong URL')
    const post = await get(port, REPO, { method: 'POST' })
    t.equal(post.status, 405)
    t.equal(post.headers.allow, 'GET, HEAD')
    t.equal((await get(port, REPO, { method: 'DELETE' })).status, 405)
    const many = await get(port, `${REPO}&${Array.from({ length: 1900 }, () => `x`).join('&')}`)
    t.equal(many.status, 200, 'thousands of unknown parameters are ignored')
    const countries = await get(port, `${REPO}&country=${Array.from({ length: 1000 }, () => 'se').join(',')}`)
    t.equal(countries.status, 200, 'a huge country= list')
    t.same(lines(countries.body), ['# repo = fedora-41 arch = x86_64 country = se ', SE1], 'de-duplicated')
    const bogus = await get(port, `${REPO}&ip=${'1.'.repeat(300)}1`)
    t.equal(bogus.status, 500, 'bogus ip=')
    const head = await get(port, REPO, { method: 'HEAD' })
    t.equal(head.status, 200)
    t.equal(head.body, '', 'HEAD: no body')
    t.ok(Number(head.headers['content-length']) > 0, 'HEAD: the length of the GET body')
    // Raw bytes that are not UTF-8, and a request that never finishes its headers.
    const slow = connect(port, '127.0.0.1')
    await once(slow, 'connect')
    slow.write('GET /mirrorlist?repo=fedora-41&arch=x86_64 HTTP/1.1\r\nHost: x\r\n')
    const raw = connect(port, '127.0.0.1')
    raw.write(Buffer.concat([Buffer.from('GET /mirrorlist?repo=fedora-41&arch=x86_64&country='), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')]))
    let rawReply = ''
    raw.setEncoding('latin1').on('data', (chunk: string) => (rawReply += chunk))
    await once(raw, 'close')
    t.match(rawReply, /^HTTP\/1\.1 (200|400|404) /, 'non-UTF-8 bytes: an answer, not a crash')
    const after = await get(port, `${REPO}&country=se`)
    t.equal(after.status, 200, 'still answering with a half-sent request open on each worker')
    slow.destroy()
  })

  t.test('healthz and metrics', async (t) => {
    const health = await get(port, '/healthz')
    t.equal(health.status, 200)
    const report = JSON.parse(health.body)
    t.equal(report.status, 'ok')
    t.equal(report.snapshot.repositories, 1)
    t.equal(typeof report.snapshot.ageSeconds, 'number')
    const metrics = await get(port, '/metrics')
    t.equal(metrics.status, 200)
    t.match(metrics.headers['content-type'], /^text\/plain; version=0\.0\.4/)
    const count = (pattern: RegExp) => [...metrics.body.matchAll(pattern)].reduce((n, m) => n + Number(m[1]), 0)
    t.ok(count(/^mirrormanager_mirrorlist_requests_total\{endpoint="mirrorlist",status="200",tier="[^"]*"\} (\d+)$/gm) >= 8, 'mirrorlist requests of both workers are counted')
    t.equal(count(/^mirrormanager_mirrorlist_requests_total\{endpoint="other",status="405",tier="rejected"\} (\d+)$/gm), 2)
    t.match(metrics.body, /^mirrormanager_mirrorlist_snapshot_loaded\{worker="1"\} 1$/m)
    t.match(metrics.body, /^mirrormanager_mirrorlist_snapshot_loaded\{worker="2"\} 1$/m)
    t.match(metrics.body, /^mirrormanager_mirrorlist_workers 2$/m)
  })

  t.test('SIGTERM: exit 0, and the access log has one exact line per repo request', async (t) => {
    server.child.kill('SIGTERM')
    t.equal(await server.exited, 0)
    const today = new Date().toISOString().slice(0, 10)
    const log = readFileSync(accessLog, 'utf8').split('\n').filter(Boolean)
    t.equal(statSync(accessLog).mode & 0o777, 0o640, 'the access log (client addresses) is not world-readable')
    t.ok(log.includes(`IP: 127.0.0.1; DATE: ${today}; COUNTRY: SE; REPO: fedora-41; ARCH: x86_64`), 'GeoIP client')
    t.ok(log.includes(`IP: 198.51.100.7; DATE: ${today}; COUNTRY: DE; REPO: fedora-41; ARCH: x86_64`), 'X-Forwarded-For client')
    for (const line of log) t.match(line, /^IP: [^;]+; DATE: \d{4}-\d{2}-\d{2}; COUNTRY: [^;]+; REPO: [^;]+; ARCH: [^;]+$/)
  })
})

/** Sends `total` requests, `concurrency` at a time; returns the statuses and bodies seen. */
async function requestLoop(port: number, path: string, total: number, concurrency: number, onProgress?: (done: number) => void) {
  const failures: string[] = []
  const bodies = new Set<string>()
  let sent = 0
  let done = 0
  const lane = async () => {
    while (sent < total) {
      sent++
      try {
        const reply = await get(port, path)
        if (reply.status !== 200) failures.push(`status ${reply.status}: ${reply.body.slice(0, 200)}`)
        else bodies.add(reply.body)
      } catch (error) {
        failures.push((error as Error).message)
      }
      onProgress?.(++done)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane))
  return { failures, bodies }
}

t.test('operations: reload under load without a failed request, killed worker replaced, corrupt snapshot rejected', async (t) => {
  const { db, dir, snapshot, network } = await setup(t, 'embedded')
  const server = await startServer(['--snapshot', snapshot, '--workers', '2', '--geoip', GEOIP_FLAT, '--debug-selection'])
  stopAtEnd(t, server)
  const port = server.port
  const path = `${REPO}&country=se`
  t.same(lines((await get(port, path)).body), ['# repo = fedora-41 arch = x86_64 country = se ', SE1], 'before: one Swedish mirror')
  t.match(lines((await get(port, REPO)).body)[0], /^# repo = fedora-41 arch = x86_64 country = SE /, 'located by the flat-schema GeoIP database')

  const explained = (await get(port, `${REPO}&explain=1`)).body
  t.match(explained, /^# repo = fedora-41 arch = x86_64 country = SE [^\n]*\n# client country: SE; answered by: /, '--debug-selection: explain=1 says why')
  t.match(explained, /^# 1 host \d+ se1\.example \(SE\): /m, 'the chosen host and its tier')
  t.match(explained, /^# - host \d+ private1\.example \(SE\): /m, 'the private host, left out, and why')

  // A second Swedish mirror appears in the database; a new snapshot is generated next to the served one.
  await addMirror(db.sql, network, { site: 'se2-site', host: 'se2.example', country: 'SE', urls: ['http://se2.example/fedora'] })
  const next = join(dir, 'next.avro')
  await generate(db, next)

  let hupSent = false
  const loop = await requestLoop(port, path, 400, 4, (done) => {
    if (done === 100 && !hupSent) {
      hupSent = true
      renameSync(next, snapshot)
      server.child.kill('SIGHUP')
    }
  })
  await server.waitForLog(/worker 2: switched to the new snapshot/)
  t.same(loop.failures, [], 'zero failed requests while reloading')
  const after = lines((await get(port, path)).body)
  t.same(after.slice(1).sort(), [SE1, `http://se2.example/fedora/${OS_REL}/`].sort(), 'after: the new snapshot is served')
  const metrics = (await get(port, '/metrics')).body
  t.match(metrics, /^mirrormanager_mirrorlist_reloads_total\{result="ok"\} 1$/m, 'regression: one SIGHUP with 2 workers is 1 reload (was 4: the loads at start counted)')
  const goodBytes = readFileSync(snapshot)

  t.test('kill -9 a worker: it is replaced and the service continues', async (t) => {
    const victim = JSON.parse((await get(port, '/healthz')).body).pid as number
    process.kill(victim, 'SIGKILL')
    await server.waitForLog(new RegExp(`\\(pid ${victim}\\) died \\(SIGKILL\\); restarting`))
    await server.waitForLog(/(?:worker \d: ready in[^]*){3}/)
    const loop = await requestLoop(port, path, 60, 2)
    t.same(loop.failures, [], 'every request after the restart answered')
    const pids = new Set<number>()
    for (let i = 0; i < 20 && pids.size < 2; i++) pids.add(JSON.parse((await get(port, '/healthz')).body).pid)
    t.equal(pids.size, 2, 'two workers answer again')
    t.notOk(pids.has(victim), 'the killed one is gone')
    t.match((await get(port, '/metrics')).body, /^mirrormanager_mirrorlist_worker_restarts_total 1$/m)
  })

  t.test('a corrupt snapshot + SIGHUP is rejected; the previous snapshot keeps answering', async (t) => {
    const before = lines((await get(port, path)).body).slice(1).sort()
    writeFileSync(join(dir, 'corrupt.tmp'), 'this is not an Avro file\n')
    renameSync(join(dir, 'corrupt.tmp'), snapshot)
    server.child.kill('SIGHUP')
    await server.waitForLog(/snapshot \S+ rejected: .*; still serving the previous snapshot/)
    const loop = await requestLoop(port, path, 40, 2)
    t.same(loop.failures, [])
    const answers = new Set([...loop.bodies].map((body) => JSON.stringify(lines(body).slice(1).sort())))
    t.same([...answers], [JSON.stringify(before)], 'the same mirrors as before')
    const health = JSON.parse((await get(port, '/healthz')).body)
    t.equal(health.status, 'ok')
    t.match((await get(port, '/metrics')).body, /^mirrormanager_mirrorlist_reloads_total\{result="failed"\} [1-9]/m)
  })

  let lastGoodCopy: string | undefined
  t.test('workers restarted while a rejected file is on disk serve nothing: they serve the last good snapshot', async (t) => {
    const served = lines((await get(port, path)).body).slice(1).sort()
    // one bit flipped in the middle of the data blocks: structurally fine, caught by the checksum
    const damaged = Buffer.from(goodBytes)
    const { bodyOffset } = readContainerHeader(goodBytes, snapshot)
    const flip = bodyOffset + Math.floor((goodBytes.length - bodyOffset) / 2)
    damaged[flip] = damaged[flip]! ^ 0x10
    writeFileSync(join(dir, 'damaged.tmp'), damaged)
    renameSync(join(dir, 'damaged.tmp'), snapshot)
    server.child.kill('SIGHUP')
    await server.waitForLog(/snapshot \S+ rejected: snapshot \S+ is corrupt: its content does not match its checksum/)
    const pids = new Set<number>()
    for (let i = 0; i < 40 && pids.size < 2; i++) pids.add(JSON.parse((await get(port, '/healthz')).body).pid)
    t.equal(pids.size, 2)
    // one after the other (with --port 0 the port would change if none were left listening)
    const [first, second] = [...pids]
    // A replacement answers on the port before the next kill: with none listening, the port closes.
    const replacementAnswers = async (gone: Set<number>) => {
      for (let i = 0; i < 600; i++) {
        const reply = await get(port, '/healthz').catch(() => undefined)
        if (reply && !gone.has(JSON.parse(reply.body).pid)) return
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      throw new Error('no replacement worker answered')
    }
    process.kill(first!, 'SIGKILL')
    await server.waitForLog(/serving the last snapshot that validated/, 120_000)
    await replacementAnswers(new Set([first!, second!]))
    process.kill(second!, 'SIGKILL')
    await server.waitForLog(/(?:serving the last snapshot that validated[^]*){2}/, 120_000)
    await replacementAnswers(new Set([first!, second!]))
    const loop = await requestLoop(port, path, 40, 2)
    t.same(loop.failures, [], 'every request answered')
    t.same([...new Set([...loop.bodies].map((body) => JSON.stringify(lines(body).slice(1).sort())))], [JSON.stringify(served)], 'from the last snapshot that validated')
    const health = JSON.parse((await get(port, '/healthz')).body)
    t.match(health, { status: 'ok', snapshot: { source: 'last-good copy' }, snapshotFileRejected: true, lastReloadError: /does not match its checksum/ })
    lastGoodCopy = health.snapshot.file as string
    t.not(lastGoodCopy, snapshot, 'a private copy')
    const metrics = (await get(port, '/metrics')).body
    t.match(metrics, /^mirrormanager_mirrorlist_snapshot_file_rejected\{worker="1"\} 1$/m)
    t.match(metrics, /^mirrormanager_mirrorlist_snapshot_file_rejected\{worker="2"\} 1$/m)

    writeFileSync(join(dir, 'next-good.tmp'), goodBytes)
    renameSync(join(dir, 'next-good.tmp'), snapshot)
    server.child.kill('SIGHUP')
    await server.waitForLog(/(?:switched to the new snapshot[^]*){4}/)
    const repaired = JSON.parse((await get(port, '/healthz')).body)
    t.match(repaired, { snapshot: { source: 'file' } })
    t.notOk(repaired.snapshotFileRejected, 'a good file again: no longer flagged')
  })

  t.test('SIGTERM: graceful exit 0', async (t) => {
    server.child.kill('SIGTERM')
    t.equal(await server.exited, 0)
    t.match(server.stderr(), /shutting down \(SIGTERM\)/)
    t.notOk(lastGoodCopy && existsSync(dirname(lastGoodCopy)), 'the private copy is removed at exit')
  })
})

/**
 * A web server publishing a snapshot as a plain static file would: ETag, Last-Modified,
 * 304 on a matching If-None-Match. `publish` changes what it serves; every request served
 * is recorded, and `nextRequest` resolves when the next one has been answered.
 */
function startPublisher(): Promise<{ server: Server; url: string; publish(body: Buffer | number): void; requests: { ifNoneMatch?: string; status: number }[]; nextRequest(): Promise<number> }> {
  let body: Buffer | undefined
  let status = 404
  let etag = ''
  const requests: { ifNoneMatch?: string; status: number }[] = []
  let waiters: ((status: number) => void)[] = []
  const server = createServer((request, response) => {
    const ifNoneMatch = request.headers['if-none-match']
    let answered = status
    if (status === 200 && ifNoneMatch === etag) answered = 304
    if (answered === 200) response.writeHead(200, { 'Content-Type': 'application/octet-stream', ETag: etag, 'Last-Modified': new Date().toUTCString(), 'Content-Length': body!.length }).end(body)
    else response.writeHead(answered, { ETag: etag }).end()
    requests.push({ ifNoneMatch, status: answered })
    response.on('finish', () => {
      const waiting = waiters
      waiters = []
      for (const waiter of waiting) waiter(answered)
    })
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port
      resolve({
        server,
        url: `http://127.0.0.1:${port}/pub/mirrorlist.avro`,
        publish(next) {
          if (typeof next === 'number') status = next
          else {
            body = next
            status = 200
            etag = `"${createHash('sha256').update(next).digest('hex').slice(0, 16)}"`
          }
        },
        requests,
        nextRequest: () => new Promise((resolve) => waiters.push(resolve)),
      })
    })
  })
}

t.test('--snapshot-url: fetched at start, polled with ETag, a new snapshot reloaded, bad ones refused and counted', async (t) => {
  const { db, dir, snapshot: published, network } = await setup(t, 'embedded')
  const first = readFileSync(published)
  await addMirror(db.sql, network, { site: 'se2-site', host: 'se2.example', country: 'SE', urls: ['http://se2.example/fedora'] })
  await generate(db, join(dir, 'second.avro'))
  const second = readFileSync(join(dir, 'second.avro'))
  const publisher = await startPublisher()
  t.teardown(() => void publisher.server.close())
  mkdirSync(join(dir, 'pulled'))
  const local = join(dir, 'pulled', 'mirrorlist.avro')
  const path = `${REPO}&country=se`
  const se2 = `http://se2.example/fedora/${OS_REL}/`

  publisher.publish(first)
  const limited = await runCli(['serve-mirrorlist', '--snapshot', local, '--snapshot-url', publisher.url, '--port', '0', '--workers', '1', '--require-snapshot'], { env: { MM_MIRRORLIST_SNAPSHOT_MAX_BYTES: '1024' } })
  t.equal(limited.status, 5, '--require-snapshot: no local file and the first fetch failed: exit 5')
  t.match(limited.stderr, /cannot fetch the snapshot: http:\S+: the snapshot is larger than 1024 bytes \(mirrorlist.snapshot_max_bytes\); keeping the snapshot in place/, 'a snapshot over mirrorlist.snapshot_max_bytes is refused')
  t.notOk(existsSync(local), 'nothing installed')

  const startFetch = publisher.requests.length
  const server = await startServer(['--snapshot', local, '--snapshot-url', publisher.url, '--snapshot-poll-interval', '1', '--workers', '1', '--require-snapshot'])
  stopAtEnd(t, server)
  const port = server.port
  t.match(server.stderr(), /fetched a new snapshot from http:\S+ \(\d+ bytes\)/, 'no local snapshot: fetched before the workers load')
  t.same(readFileSync(local), first, 'installed as --snapshot')
  t.same(lines((await get(port, path)).body), ['# repo = fedora-41 arch = x86_64 country = se ', SE1])

  // A poll answered 304, then the next one: the poll before it has ended.
  while ((await publisher.nextRequest()) !== 304);
  await publisher.nextRequest()
  t.ok(publisher.requests.slice(startFetch + 1).every((request) => request.ifNoneMatch !== undefined), 'polls are conditional (If-None-Match)')
  let metrics = (await get(port, '/metrics')).body
  t.match(metrics, /^mirrormanager_mirrorlist_snapshot_fetch_total\{result="not_modified"\} [1-9]/m)
  t.match(metrics, /^mirrormanager_mirrorlist_reloads_total\{result="ok"\} 0$/m, 'a 304 does not reload')
  t.match(metrics, /^mirrormanager_mirrorlist_snapshot_fetch_success_age_seconds \d+$/m)

  const refused = async (bytes: Buffer, log: RegExp) => {
    publisher.publish(bytes)
    await server.waitForLog(log)
    t.same(lines((await get(port, path)).body), ['# repo = fedora-41 arch = x86_64 country = se ', SE1], `${log}: the old answers stay`)
  }
  await refused(Buffer.from('<html>not a snapshot</html>\n'), /cannot fetch the snapshot: http:\S+ is not a snapshot \(not an Avro container file\)/)
  await refused(second.subarray(0, Math.floor(second.length / 2)), /cannot fetch the snapshot: snapshot http:\S+ is (corrupt|truncated)/)
  const flipped = Buffer.from(second)
  const header = readContainerHeader(second, 'second')
  flipped[header.bodyOffset + 40] = flipped[header.bodyOffset + 40]! ^ 0x01
  const flippedSha = contentSha256(flipped, header)
  await refused(flipped, new RegExp(`cannot fetch the snapshot: snapshot http:\\S+ is corrupt: its content does not match its checksum \\(sha256 ${flippedSha}, recorded`))
  await publisher.nextRequest()
  await publisher.nextRequest()
  t.equal(server.stderr().split(`sha256 ${flippedSha}`).length - 1, 1, 'a failure that repeats is logged once')
  publisher.publish(503)
  await server.waitForLog(/cannot fetch the snapshot: http:\S+: HTTP 503/)
  t.same(readFileSync(local), first, 'the file in place is untouched by every refused fetch')

  publisher.publish(second)
  await server.waitForLog(/snapshot fetch from http:\S+ works again[^]*worker 1: switched to the new snapshot/)
  t.same(lines((await get(port, path)).body).slice(1).sort(), [SE1, se2].sort(), 'the new snapshot answers')
  metrics = (await get(port, '/metrics')).body
  t.match(metrics, /^mirrormanager_mirrorlist_snapshot_fetch_total\{result="ok"\} 2$/m, 'at start, and the new one')
  t.match(metrics, /^mirrormanager_mirrorlist_snapshot_fetch_total\{result="invalid"\} ([3-9]|\d\d+)$/m, 'garbage, truncated, wrong checksum')
  t.match(metrics, /^mirrormanager_mirrorlist_snapshot_fetch_total\{result="error"\} [1-9]/m, 'HTTP 503')
  t.match(metrics, /^mirrormanager_mirrorlist_reloads_total\{result="ok"\} 1$/m, 'one reload, through the SIGHUP path')
  const health = JSON.parse((await get(port, '/healthz')).body)
  t.match(health, { status: 'ok', snapshotFetch: { url: publisher.url, lastResult: /^(ok|not_modified)$/, lastSuccessAgeSeconds: Number } })
  t.notOk(health.snapshotFetch.lastError, 'no error once a fetch succeeded again')
  server.child.kill('SIGTERM')
  t.equal(await server.exited, 0)
})

t.test('no snapshot yet: healthz 503, requests 503; a configuration file that cannot be read stops the server', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mm-serve-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const server = await startServer(['--snapshot', join(dir, 'missing.avro'), '--workers', '1'])
  stopAtEnd(t, server)
  t.match(server.stderr(), /GeoIP: \S+geo-whois-asn-country\.mmdb \(.*built \d{4}-\d\d-\d\d\), \d+ days old/, 'no --geoip: the bundled CC0 database, with its age')
  t.match((await get(server.port, '/metrics')).body, /^mirrormanager_mirrorlist_lookup_data_timestamp_seconds\{worker="1",table="geoip",source="\S+geo-whois-asn-country\.mmdb"\} \d+$/m)
  t.match(server.stderr(), /warning: snapshot \S+missing\.avro does not exist: every request is answered 503/, 'a missing snapshot is said loudly at start')
  t.equal((await get(server.port, '/healthz')).status, 503)
  t.equal((await get(server.port, REPO)).status, 503)
  server.child.kill('SIGTERM')
  t.equal(await server.exited, 0)
  const without = await startServer(['--snapshot', join(dir, 'missing.avro'), '--workers', '1', '--geoip', 'none'])
  stopAtEnd(t, without)
  t.match(without.stderr(), /warning: no GeoIP database configured/, '--geoip none: none')
  without.child.kill('SIGTERM')
  await without.exited

  const busy = await startServer(['--snapshot', join(dir, 'missing.avro'), '--workers', '1'])
  stopAtEnd(t, busy)
  const taken = await runCli(['serve-mirrorlist', '--snapshot', join(dir, 'missing.avro'), '--port', String(busy.port), '--workers', '1'])
  t.equal(taken.status, 12, 'regression: a port in use is said before any worker starts, with its own exit status')
  t.match(taken.stderr, new RegExp(`port ${busy.port} is in use on 127.0.0.1; pass --port`))
  t.notMatch(taken.stderr, /startup complete/)

  const required = await runCli(['serve-mirrorlist', '--snapshot', join(dir, 'missing.avro'), '--port', '0', '--workers', '1', '--require-snapshot'])
  t.equal(required.status, 5, '--require-snapshot: a missing snapshot stops the server')
  t.match(required.stderr, /snapshot \S+missing\.avro does not exist/)

  const bad = await runCli(['serve-mirrorlist', '--snapshot', join(dir, 'missing.avro'), '--port', '0', '--workers', '1', '--geoip', join(dir, 'nope.mmdb')])
  t.equal(bad.status, 3, 'configuration error exit status')
  t.match(bad.stderr, /GeoIP database .*nope\.mmdb/)
})

for (const kind of databaseKinds().filter((k) => k !== 'embedded')) {
  t.test(`${kind}: a snapshot generated from PostgreSQL serves the same answers`, async (t) => {
    const { snapshot } = await setup(t, kind)
    const server = await startServer(['--snapshot', snapshot, '--workers', '1'])
    stopAtEnd(t, server)
    t.same(lines((await get(server.port, `${REPO}&country=se`)).body), ['# repo = fedora-41 arch = x86_64 country = se ', SE1])
    t.match((await get(server.port, `${METALINK}&country=de`)).body, `<url protocol="https" type="https" location="DE" preference="100">${DE1}repodata/repomd.xml</url>`)
  })
}
