import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildTrees, insertHost, insertMaster, masterPaths, PATHS, upToDateState } from '../helpers/crawl-fixture.js'
import { databaseKinds, openTestDatabase, type TestDatabase } from '../helpers/database.js'
import { runCli, runCliJson } from '../helpers/cli.js'
import { startFtpServer } from '../helpers/ftp-server.js'
import { startMirrorHttpServer } from '../helpers/mirror-http-server.js'
import { startRsyncDaemon } from '../helpers/rsync-daemon.js'
import type { CrawlSummary } from '../../src/lib/crawl/summary.js'

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

for (const kind of databaseKinds()) {
  t.test(`${kind}: a full crawl decides every directory of every mirror, whatever the mirror does`, async (t) => {
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    const { hosts } = await setUp(db)
    await db.disconnect()
    http.requests.clear()
    http.maxConnections.clear()
    const run = await runCliJson<CrawlSummary>(['crawl', '--threads', '8', '--host-timeout', '6'], { env: env(db), timeoutMs: 300_000 })
    t.equal(run.status, 8, `partial failure exit status (hang, trickle, refused failed)\n${run.stderr}`)
    const byName = new Map(run.json.results.map((r) => [r.name, r]))
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

t.test('the CLI: a bad --fraction is a usage error, --dry-run writes nothing', async (t) => {
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
})
