import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildTrees, insertHost, insertMaster, masterPaths, PATHS, upToDateState } from '../helpers/crawl-fixture.js'
import { cliDatabaseKind, databaseKinds, openTestDatabase, type TestDatabase } from '../helpers/database.js'
import { runCli, runCliJson, spawnCli } from '../helpers/cli.js'
import { startFtpServer } from '../helpers/ftp-server.js'
import { startMirrorHttpServer } from '../helpers/mirror-http-server.js'
import { startRsyncDaemon } from '../helpers/rsync-daemon.js'
import type { CrawlSummary } from '../../src/lib/crawl/summary.js'
import type { RoundStatus } from '../../src/lib/crawl/rounds.js'
import type { CrawlWorkerSummary } from '../../src/lib/crawl/worker.js'

/** What every command prints with --json when it exits 8: the run's summary is the error's details. */
interface PartialFailure<T> {
  error: { code: string; message: string; exitStatus: number; details: T }
}

const root = mkdtempSync(join(tmpdir(), 'mm-crawl-e2e-'))
t.teardown(() => rmSync(root, { recursive: true, force: true }))
const trees = buildTrees(root)

const http = await startMirrorHttpServer({
  current: trees.current,
  behind: trees.behind,
  missing: trees.missing,
  listonly: trees.listonly,
  forbidden: 'forbidden',
  hang: 'hang',
  trickle: 'trickle',
  loop: 'loop',
  elsewhere: 'elsewhere',
  broken: 'broken',
  ...Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`current${i}`, trees.current])),
})
const http6 = await startMirrorHttpServer({ current: trees.current }, '::1')
const rsync = await startRsyncDaemon({ modules: { current: trees.current, behind: trees.behind } })
const ftp = await startFtpServer({ root })
const ftp451 = await startFtpServer({ root, missingDirectoryCode: 451 })
t.teardown(async () => {
  await Promise.all([http.stop(), http6.stop(), rsync.stop(), ftp.stop(), ftp451.stop()])
})

const ALL = masterPaths()
const EMPTY = new Set(['', '9', '9/Everything', '9/Everything/source', '9/Everything/source/tree', '9/Everything/x86_64/Packages', 'empty'])
/** The directories expected up to date: all but `stale`. */
const expect = (stale: string[]) => ALL.filter((path) => !stale.includes(path))
/** File-less directories are up to date only when the tree below them is: staleness climbs through them. */
const BEHIND = [PATHS.packages, PATHS.repodata, PATHS.sourceRepodata, '9/Everything/x86_64/Packages', '9/Everything/source/tree', '9/Everything/source']
const PACKAGES_MISSING = [PATHS.packages, '9/Everything/x86_64/Packages']

const env = (db: TestDatabase) => ({ ...db.env, MM_CRAWL_REQUEST_TIMEOUT: '1', MM_CRAWL_SAMPLE_SIZE: '3' })

interface Hosts {
  [name: string]: { hostId: number; hostCategoryId: number }
}

async function setUp(db: TestDatabase): Promise<{ hosts: Hosts; categoryId: number }> {
  const { categoryId } = await insertMaster(db.sql, trees.master)
  const specs = [
    { name: 'current', urls: [http.url('current')] },
    { name: 'behind', urls: [http.url('behind')] },
    { name: 'missing', urls: [http.url('missing')] },
    { name: 'listonly', urls: [http.url('listonly')] },
    { name: 'forbidden', urls: [http.url('forbidden')] },
    { name: 'hang', urls: [http.url('hang')] },
    { name: 'trickle', urls: [http.url('trickle')] },
    { name: 'loop', urls: [http.url('loop')] },
    { name: 'elsewhere', urls: [http.url('elsewhere')] },
    { name: 'broken', urls: [http.url('broken')] },
    { name: 'refused', urls: ['http://127.0.0.1:1/current', 'https://127.0.0.1:1/current'] },
    { name: 'rsync-current', urls: [rsync.url('current')] },
    { name: 'rsync-behind', urls: [rsync.url('behind')] },
    { name: 'rsync-unknown-then-ftp', urls: [rsync.url('nosuchmodule'), ftp.url('current')] },
    { name: 'ftp-missing-451', urls: [ftp451.url('missing')] },
    { name: 'ipv6', urls: [http6.url('current')], country: 'US' },
  ]
  const hosts: Hosts = {}
  for (const spec of specs) hosts[spec.name] = await insertHost(db.sql, categoryId, spec)
  return { hosts, categoryId }
}

// The CLI and its servers are the subject here, not the database (the integration files run
// the library on both): one database, the server when there is one (cliDatabaseKind).
for (const kind of [cliDatabaseKind()]) {
  t.test(`${kind}: a full crawl decides every directory of every mirror, whatever the mirror does`, async (t) => {
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    const { hosts } = await setUp(db)
    await db.disconnect()
    http.requests.clear()
    http.maxConnections.clear()
    const run = await runCliJson<PartialFailure<CrawlSummary>>(['crawl', '--threads', '8', '--host-timeout', '6'], { env: env(db), timeoutMs: 300_000 })
    t.equal(run.status, 8, `partial failure exit status (hang, trickle, refused failed)\n${run.stderr}`)
    t.match(run.json.error, { code: 'MM_PARTIAL_FAILURE', exitStatus: 8, message: '3 of 16 hosts failed, were unreachable or timed out' }, 'exit 8 has the one --json error shape')
    const byName = new Map(run.json.error.details.results.map((r) => [r.name, r]))
    t.equal(byName.get('hang')?.result, 'unreachable', 'a mirror that never answers is unreachable')
    t.equal(byName.get('refused')?.result, 'unreachable', 'connection refused: unreachable')
    t.equal(byName.get('trickle')?.result, 'timeout', 'a byte-a-second mirror ends in the host timeout')
    for (const name of ['current', 'behind', 'missing', 'listonly', 'forbidden', 'rsync-current', 'rsync-behind', 'rsync-unknown-then-ftp', 'ftp-missing-451', 'ipv6']) {
      t.equal(byName.get(name)?.result, 'ok', `${name}: crawled`)
    }
    await db.reconnect()
    const state = async (name: string) => upToDateState(db.sql, hosts[name].hostCategoryId)
    const current = async (name: string) => [...(await state(name))].filter(([, up]) => up).map(([path]) => path).sort()
    t.same(await current('current'), expect([]), 'current mirror: every directory up to date')
    t.same(await current('ipv6'), expect([]), 'the mirror on ::1: every directory up to date')
    t.same(await current('rsync-current'), expect([]), 'rsync, current module: up to date')
    t.same(await current('rsync-unknown-then-ftp'), expect([]), 'unknown rsync module: FTP takes over')
    t.same(await current('behind'), expect(BEHIND), 'a day behind: older repomd.xml and a missing package are stale')
    t.same(await current('rsync-behind'), expect(BEHIND), 'rsync, stale module: sizes differ')
    t.same(await current('missing'), expect(PACKAGES_MISSING), 'a missing directory is stale (HEAD per file)')
    t.same(await current('ftp-missing-451'), expect(PACKAGES_MISSING), 'FTP 451 instead of 550: stale, crawl goes on')
    t.same(await current('listonly'), expect(BEHIND), 'a copied fullfiletimelist does not make old content current')
    const forbidden = await state('forbidden')
    t.equal(forbidden.get('private'), true, '403 on a directory the master does not publish is expected')
    t.not(forbidden.get(PATHS.packages), true, '403 on a readable directory: stale')
    for (const name of ['loop', 'elsewhere', 'broken']) {
      const found = await state(name)
      t.notOk([...found].some(([path, up]) => up && !EMPTY.has(path)), `${name}: no directory with files is ever up to date`)
    }
    for (const name of ['hang', 'refused', 'trickle']) t.equal((await state(name)).size, 0, `${name}: nothing confirmed`)

    // Politeness: the list-based crawl of a current mirror costs 1 list + 2 repomd.xml + 3 samples.
    t.ok((http.requests.get('current') ?? 0) <= 6, `current mirror got ${http.requests.get('current')} requests`)
    for (const [mirror, most] of http.maxConnections) t.ok(most <= 2, `${mirror}: at most 2 connections at once (got ${most})`)
    t.ok([...http.userAgents].every((ua) => /^mirrormanager-crawler\/\S+ \(\+https?:\/\//.test(ua)), 'User-Agent names the tool and a contact URL')

    const [host] = await db.sql<{ lastCrawlResult: string; crawlFailures: number; lastCrawled: Date | null }[]>`
      select last_crawl_result, crawl_failures, last_crawled from host where id = ${hosts.hang.hostId}`
    t.equal(host.lastCrawlResult, 'unreachable')
    t.equal(host.crawlFailures, 1)
    const families = await db.sql<{ family: number; reachable: boolean }[]>`
      select family, reachable from host_reachability where host_id = ${hosts.ipv6.hostId} and protocol = 'http' order by family`
    t.same(families.map((f) => [f.family, f.reachable]), [[4, false], [6, true]], 'IPv6 reachability recorded separately from IPv4')
    const v4 = await db.sql<{ family: number; reachable: boolean }[]>`
      select family, reachable from host_reachability where host_id = ${hosts.current.hostId} and protocol = 'http' order by family`
    t.same(v4.map((f) => [f.family, f.reachable]), [[4, true], [6, false]])

    await db.disconnect()
    const log = await runCli(['host', 'crawl-log', 'behind'], { env: db.env })
    t.equal(log.status, 0, log.stderr)
    t.match(log.stdout, /ok +\(full/)
    t.match(log.stdout, /Fedora EPEL: 6 up to date, 6 stale via fullfiletimelist/)
    const refusedLog = await runCliJson<{ entries: { result: string; summary: string }[] }>(['host', 'crawl-log', String(hosts.refused.hostId)], { env: db.env })
    t.equal(refusedLog.json.entries[0].result, 'unreachable')
    t.match(refusedLog.json.entries[0].summary, /unreachable \(.*ECONNREFUSED/)
  })
}

t.test('the CLI: a bad --fraction is a usage error, --dry-run writes nothing, --worker needs a PostgreSQL server', async (t) => {
  const db = await openTestDatabase('embedded')
  t.teardown(() => db.destroy())
  const { categoryId } = await insertMaster(db.sql, trees.master)
  await insertHost(db.sql, categoryId, { name: 'dry', urls: [http.url('current7')] })
  await db.disconnect()
  const bad = await runCli(['crawl', '--fraction', '4:3'], { env: env(db) })
  t.equal(bad.status, 2, 'a bad fraction is a usage error')
  t.match(bad.stderr, /--fraction must be K:N/)
  const dry = await runCliJson<CrawlSummary>(['crawl', '--dry-run'], { env: env(db) })
  t.equal(dry.status, 0, dry.stderr)
  t.equal(dry.json.results[0].upToDate, 12, 'the dry run crawled')
  await db.reconnect()
  const [{ count }] = await db.sql<{ count: number }[]>`select count(*)::int as count from host_crawl_log`
  const [{ rows }] = await db.sql<{ rows: number }[]>`select count(*)::int as rows from host_category_dir`
  t.same([count, rows], [0, 0], '--dry-run wrote nothing')
  await db.disconnect()
  const worker = await runCliJson<{ error: { code: string; exitStatus: number; message: string } }>(['crawl', '--worker'], { env: env(db) })
  t.equal(worker.status, 3, 'crawl --worker on the embedded database: a configuration error')
  t.match(worker.json.error, { code: 'MM_NEEDS_SERVER_DATABASE', message: /needs a PostgreSQL server/ })
})

/** A `crawl --worker` process we can kill; `done` resolves with its exit status and stdout. */
function startWorker(env: Record<string, string>, args: string[]) {
  const child = spawnCli(['crawl', '--worker', '--json', ...args], {
    env: { ...process.env, ...env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk) => (stdout += chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk) => (stderr += chunk))
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000)
  const done = new Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (status, signal) => {
      clearTimeout(timer)
      resolve({ status, signal, stdout, stderr })
    }),
  )
  return { child, done }
}

t.test('the fleet: 3 crawl --worker processes on PostgreSQL, one killed with SIGKILL mid-round; every host crawled once, the takeover shown', {
  skip: databaseKinds().includes('postgres') ? false : 'needs MM_TEST_DATABASE_URL (a PostgreSQL server)',
}, async (t) => {
  const db = await openTestDatabase('postgres')
  t.teardown(() => db.destroy())
  const { categoryId } = await insertMaster(db.sql, trees.master)
  const mirrors = [...Array.from({ length: 8 }, (_, i) => `current${i}`), 'behind']
  const hostIds: number[] = []
  for (const mirror of mirrors) hostIds.push((await insertHost(db.sql, categoryId, { name: `fleet-${mirror}`, urls: [http.url(mirror)] })).hostId)
  const start = await runCliJson<{ round: number; hosts: number }>(['crawl', 'start'], { env: db.env })
  t.same(start.json.hosts, 9, start.stderr)

  // Worker A alone takes the first host (never crawled: by id), whose mirror holds every
  // request: A is killed while it holds that lease.
  const release = http.hold('current0')
  t.teardown(release)
  const held = http.requested('current0')
  const workerEnv = { ...db.env, MM_CRAWL_REQUEST_TIMEOUT: '60' } // A stays on the held request until it is killed
  const a = startWorker(workerEnv, ['--threads', '1', '--lease-seconds', '3'])
  await held
  const others = http.requested('current1')
  // Long leases for the survivors: on a loaded machine a stalled survivor must not lose its hosts too.
  const b = startWorker(workerEnv, ['--threads', '2', '--lease-seconds', '30'])
  const c = startWorker(workerEnv, ['--threads', '2', '--lease-seconds', '30'])
  await others // B or C is crawling: the round is under way
  a.child.kill('SIGKILL')
  t.equal((await a.done).signal, 'SIGKILL')
  release()
  const [doneB, doneC] = await Promise.all([b.done, c.done])
  t.equal(doneB.status, 0, doneB.stderr)
  t.equal(doneC.status, 0, doneC.stderr)
  const crawled = [doneB, doneC].flatMap((done) => (JSON.parse(done.stdout) as CrawlWorkerSummary).results.map((r) => r.name)).sort()
  t.same(crawled, mirrors.map((mirror) => `fleet-${mirror}`).sort(), 'the two survivors crawled every host, each once')

  const logs = await db.sql<{ hostId: number; n: number }[]>`select host_id, count(*)::int as n from host_crawl_log group by host_id order by host_id`
  t.same(logs, hostIds.map((hostId) => ({ hostId, n: 1 })), 'one stored crawl per host')
  const status = await runCliJson<RoundStatus>(['crawl', 'status'], { env: db.env })
  t.equal(status.status, 0, status.stderr)
  t.match(status.json, { round: { id: start.json.round, state: 'done' }, hosts: { total: 9, waiting: 0, leased: 0, done: 9, failed: 0 }, takeovers: 1 })
  const killed = status.json.workers.find((worker) => worker.worker.endsWith(`:${a.child.pid}`))
  t.match(killed, { lost: 1, done: 0 }, 'the killed worker lost its one host')
  t.equal(status.json.workers.reduce((sum, worker) => sum + worker.takeovers, 0), 1, 'and a survivor took it over')
  // A fast survivor may take every host before the other asks for one: a worker is listed once it held a lease.
  const working = [doneB, doneC].filter((done) => (JSON.parse(done.stdout) as CrawlWorkerSummary).results.length > 0).length
  t.ok(working >= 1)
  t.equal(status.json.workers.length, 1 + working, 'the killed worker and each survivor that crawled')
})
