/**
 * Crawl rounds shared through PostgreSQL leases (issue 19): `crawl start`, status,
 * cancel on both databases; claims with SKIP LOCKED, expiry takeover, a refused late
 * write, and whole workers on a PostgreSQL server (skipped without MM_TEST_DATABASE_URL).
 */
import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { resolveConfig } from '../../src/lib/config/resolve.js'
import { crawlHost } from '../../src/lib/crawl/crawl-host.js'
import { claimHost, completeLease, finishRound, renewLease } from '../../src/lib/crawl/leases.js'
import { cancelRound, roundStatus, startRound } from '../../src/lib/crawl/rounds.js'
import { hostCrawlContext, runCrawl, storeOptions } from '../../src/lib/crawl/run-crawl.js'
import { selectHosts } from '../../src/lib/crawl/select-hosts.js'
import { runCrawlWorker } from '../../src/lib/crawl/worker.js'
import type { Sql } from '../../src/lib/db/sql.js'
import { silentLogger } from '../../src/lib/log.js'
import { buildTrees, insertHost, insertMaster, upToDateState } from '../helpers/crawl-fixture.js'
import { asDatabase, databaseKinds, openTestDatabase, type TestDatabase } from '../helpers/database.js'
import { startMirrorHttpServer } from '../helpers/mirror-http-server.js'

const root = mkdtempSync(join(tmpdir(), 'mm-crawl-leases-'))
t.teardown(() => rmSync(root, { recursive: true, force: true }))
const trees = buildTrees(root)
const http = await startMirrorHttpServer({
  ...Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`current${i}`, trees.current])),
  behind: trees.behind,
})
t.teardown(() => http.stop())

const FULL = { mode: 'full' as const }
const configOf = (db: TestDatabase) => resolveConfig({ env: { ...db.env, MM_CRAWL_REQUEST_TIMEOUT: '2' }, configFile: '/dev/null' })
const claim = (sql: Sql, roundId: number, worker: string, maxAttempts = 3) => claimHost(sql, { roundId, worker, leaseSeconds: 60, maxAttempts })
const expireLeases = (sql: Sql, roundId: number) => sql`update crawl_work set lease_expires = now() - interval '1 second' where round_id = ${roundId} and state = 'leased'`

/** A second, separate connection to the same PostgreSQL database. */
function connect(db: TestDatabase): Sql {
  const sql = postgres(db.env.DATABASE_URL, { max: 1, onnotice: () => {}, transform: postgres.camel }) as unknown as Sql
  t.teardown(() => (sql as unknown as { end(): Promise<void> }).end())
  return sql
}

for (const kind of databaseKinds()) {
  t.test(`${kind}: crawl start takes the hosts slowest first, one open round at a time; status and cancel`, async (t) => {
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    const { categoryId } = await insertMaster(db.sql, trees.master)
    const ids: Record<string, number> = {}
    for (const [name, duration] of [['quick', 5], ['new', null], ['slow', 50], ['off', 1]] as const) {
      ids[name] = (await insertHost(db.sql, categoryId, { name, urls: [`http://127.0.0.1:1/${name}`] })).hostId
      await db.sql`update host set last_crawl_duration = ${duration}, user_active = ${name !== 'off'} where id = ${ids[name]}`
    }
    const first = await startRound(asDatabase(db), { filters: FULL })
    t.same({ hosts: first.hosts, cancelledRound: first.cancelledRound }, { hosts: 3, cancelledRound: null })
    const order = await db.sql<{ hostId: number }[]>`select host_id from crawl_work where round_id = ${first.round} order by position`
    t.same(order.map((row) => row.hostId), [ids.new, ids.slow, ids.quick], 'never crawled first, then the slowest; disabled hosts left out')
    await t.rejects(startRound(asDatabase(db), { filters: FULL }), { code: 'MM_CONFLICT', exitStatus: 6 }, 'a second open round is refused')
    const second = await startRound(asDatabase(db), { filters: { ...FULL, includeDisabled: true }, force: true })
    t.same({ hosts: second.hosts, cancelledRound: second.cancelledRound }, { hosts: 4, cancelledRound: first.round }, '--force cancels the open round')
    const status = await roundStatus(asDatabase(db))
    t.same({ id: status.round.id, state: status.round.state, includeDisabled: status.round.filters.includeDisabled }, { id: second.round, state: 'open', includeDisabled: true })
    t.same(status.hosts, { total: 4, waiting: 4, leased: 0, done: 0, failed: 0, expiredLeases: 0 })
    t.equal((await roundStatus(asDatabase(db), { round: first.round })).round.state, 'cancelled')
    t.same(await cancelRound(asDatabase(db)), { round: second.round, left: 4 })
    await t.rejects(cancelRound(asDatabase(db)), { code: 'MM_NOT_FOUND' }, 'nothing left to cancel')
    t.equal(await claim(db.sql, second.round, 'w'), null, 'a cancelled round hands out nothing')
    const empty = await startRound(asDatabase(db), { filters: { ...FULL, hosts: ['no-such-host'] } })
    t.equal((await roundStatus(asDatabase(db))).round.state, 'done', 'a round without hosts is done at once')
    t.equal(empty.hosts, 0)
  })
}

t.test('embedded: crawl --worker is refused (one process only)', async (t) => {
  const db = await openTestDatabase('embedded')
  t.teardown(() => db.destroy())
  await startRound(asDatabase(db), { filters: FULL })
  await t.rejects(runCrawlWorker(asDatabase(db), { config: configOf(db), logger: silentLogger, threads: 1, leaseSeconds: 10, hostTimeoutSeconds: 10 }), {
    code: 'MM_NEEDS_SERVER_DATABASE',
    exitStatus: 3,
    message: /PostgreSQL server/,
  })
})

const server = { skip: databaseKinds().includes('postgres') ? false : 'needs MM_TEST_DATABASE_URL (a PostgreSQL server)' }

t.test('postgres: claims use SKIP LOCKED: a host being claimed elsewhere is skipped, never waited on; every host is claimed once', server, async (t) => {
  const db = await openTestDatabase('postgres')
  t.teardown(() => db.destroy())
  const { categoryId } = await insertMaster(db.sql, trees.master)
  for (let i = 0; i < 12; i++) await insertHost(db.sql, categoryId, { name: `h${i}`, urls: [`http://127.0.0.1:1/h${i}`] })
  const { round } = await startRound(asDatabase(db), { filters: FULL })
  const [a, b] = [connect(db), connect(db)]
  const firstTwo = await db.sql<{ hostId: number }[]>`select host_id from crawl_work where round_id = ${round} order by position limit 2`
  let release!: () => void
  let locked!: () => void
  const isLocked = new Promise<void>((resolve) => (locked = resolve))
  const holding = (a as unknown as { begin(work: (tx: Sql) => Promise<void>): Promise<void> }).begin(async (tx) => {
    await tx`select host_id from crawl_work where round_id = ${round} and host_id = ${firstTwo[0].hostId} for update`
    locked()
    await new Promise<void>((resolve) => (release = resolve))
  })
  await isLocked
  const other = await claim(b, round, 'b')
  t.equal(other?.hostId, firstTwo[1].hostId, 'the locked first host is skipped without waiting for it')
  release()
  await holding
  const claimed: number[] = [other!.hostId]
  const drain = async (sql: Sql, worker: string) => {
    for (let lease = await claim(sql, round, worker); lease; lease = await claim(sql, round, worker)) claimed.push(lease.hostId)
  }
  await Promise.all([drain(a, 'a'), drain(b, 'b')])
  t.equal(claimed.length, 12, 'twelve claims in all')
  t.equal(new Set(claimed).size, 12, 'no host claimed twice')
  const status = await roundStatus(asDatabase(db))
  t.same(status.hosts, { total: 12, waiting: 0, leased: 12, done: 0, failed: 0, expiredLeases: 0 })
})

t.test('postgres: an expired lease is taken over; the late write of the worker that lost it is refused; status shows the takeover', server, async (t) => {
  const db = await openTestDatabase('postgres')
  t.teardown(() => db.destroy())
  const { categoryId } = await insertMaster(db.sql, trees.master)
  const { hostId } = await insertHost(db.sql, categoryId, { name: 'mirror', urls: [http.url('current1')] })
  const { round } = await startRound(asDatabase(db), { filters: FULL })
  const config = configOf(db)
  const context = hostCrawlContext(db.sql, config, { ...FULL, hostTimeoutSeconds: 20 }, new AbortController().signal)
  const [host] = await selectHosts(db.sql, { hostIds: [hostId] })

  const leaseA = (await claim(db.sql, round, 'a'))!
  t.same({ takeover: leaseA.takeover, attempts: leaseA.attempts }, { takeover: false, attempts: 1 })
  t.ok(await renewLease(db.sql, leaseA, 60), 'the holder renews its lease')
  const crawlA = await crawlHost(host, context)
  await expireLeases(db.sql, round) // worker a stalled past its lease
  t.equal((await roundStatus(asDatabase(db))).hosts.expiredLeases, 1)
  const leaseB = (await claim(db.sql, round, 'b'))!
  t.same({ hostId: leaseB.hostId, takeover: leaseB.takeover, attempts: leaseB.attempts }, { hostId, takeover: true, attempts: 2 })
  t.notOk(await renewLease(db.sql, leaseA, 60), 'the old holder cannot renew')
  t.equal(await completeLease(db.sql, leaseA, crawlA, storeOptions(config)), null, 'the late write is refused')
  const [before] = await db.sql<{ lastCrawled: Date | null }[]>`select last_crawled from host where id = ${hostId}`
  t.equal(before.lastCrawled, null, 'nothing of the late crawl was stored')
  t.equal(await finishRound(db.sql, round), false, 'a round with a leased host is not finished')

  const crawlB = await crawlHost(host, context)
  t.equal(await completeLease(db.sql, leaseB, crawlB, storeOptions(config)), false, 'the new holder stores (host not disabled)')
  t.equal(await completeLease(db.sql, leaseB, crawlB, storeOptions(config)), null, 'a completed lease cannot be completed again')
  const logs = await db.sql<{ result: string }[]>`select result from host_crawl_log where host_id = ${hostId}`
  t.same(logs.map((log) => log.result), ['ok'], 'the host is counted once')
  const status = await roundStatus(asDatabase(db))
  t.same(status.hosts, { total: 1, waiting: 0, leased: 0, done: 1, failed: 0, expiredLeases: 0 })
  t.equal(status.takeovers, 1)
  t.same(status.workers, [
    { worker: 'a', leased: 0, done: 0, failed: 0, takeovers: 0, lost: 1 },
    { worker: 'b', leased: 0, done: 1, failed: 0, takeovers: 1, lost: 0 },
  ])
  t.ok(await finishRound(db.sql, round), 'then the round is done')
  t.equal((await roundStatus(asDatabase(db))).round.state, 'done')
})

t.test('postgres: a host whose leases keep expiring is given up after the last attempt', server, async (t) => {
  const db = await openTestDatabase('postgres')
  t.teardown(() => db.destroy())
  const { categoryId } = await insertMaster(db.sql, trees.master)
  await insertHost(db.sql, categoryId, { name: 'poison', urls: [http.url('current2')] })
  const { round } = await startRound(asDatabase(db), { filters: FULL })
  t.ok(await claim(db.sql, round, 'a', 2))
  await expireLeases(db.sql, round)
  t.ok(await claim(db.sql, round, 'b', 2), 'the second attempt')
  await expireLeases(db.sql, round)
  t.equal(await claim(db.sql, round, 'c', 2), null, 'not handed out a third time')
  const status = await roundStatus(asDatabase(db))
  t.same({ failed: status.hosts.failed, leased: status.hosts.leased }, { failed: 1, leased: 0 })
})

t.test('postgres: two workers crawl a round to the end, each host once, with the results of a one-process crawl; cancel ends a worker', server, async (t) => {
  const db = await openTestDatabase('postgres')
  t.teardown(() => db.destroy())
  const { categoryId } = await insertMaster(db.sql, trees.master)
  const hosts = []
  for (const [name, mirror] of [['c0', 'current0'], ['c1', 'current1'], ['c2', 'current2'], ['c3', 'current3'], ['behind', 'behind']]) {
    hosts.push(await insertHost(db.sql, categoryId, { name, urls: [http.url(mirror)] }))
  }
  hosts.push(await insertHost(db.sql, categoryId, { name: 'refused', urls: ['http://127.0.0.1:1/current'] }))
  const config = configOf(db)
  const { round } = await startRound(asDatabase(db), { filters: FULL })
  const work = (worker: string) =>
    runCrawlWorker(asDatabase(db), { config, logger: silentLogger, worker, threads: 2, leaseSeconds: 10, hostTimeoutSeconds: 20, pollMs: 50 })
  const [one, two] = await Promise.all([work('one'), work('two')])
  const crawled = [...one.results, ...two.results].map((result) => result.name).sort()
  t.same(crawled, ['behind', 'c0', 'c1', 'c2', 'c3', 'refused'], 'every host crawled, by exactly one worker')
  t.same([one.rounds, two.rounds], [[round], [round]])
  const logs = await db.sql<{ n: number }[]>`select count(*)::int as n from host_crawl_log group by host_id`
  t.same(logs.map((row) => row.n), [1, 1, 1, 1, 1, 1], 'one crawl log entry per host')
  const status = await roundStatus(asDatabase(db))
  t.same({ state: status.round.state, done: status.hosts.done, failed: status.hosts.failed }, { state: 'done', done: 5, failed: 1 })
  const byWorkers = await Promise.all(hosts.map((host) => upToDateState(db.sql, host.hostCategoryId)))

  const single = await runCrawl(asDatabase(db), { config, logger: silentLogger, threads: 4, ...FULL, hostTimeoutSeconds: 20, globalTimeoutSeconds: 60, dryRun: false })
  t.same(single.results.map((r) => [r.name, r.result]).sort(), [...one.results, ...two.results].map((r) => [r.name, r.result]).sort(), 'the same results as one process')
  t.same(await Promise.all(hosts.map((host) => upToDateState(db.sql, host.hostCategoryId))), byWorkers, 'the same directories up to date')

  // Cancel: the worker stops claiming and returns.
  await startRound(asDatabase(db), { filters: { ...FULL, hosts: ['c0'] } })
  const release = http.hold('current0')
  t.teardown(release)
  const cancelled = runCrawlWorker(asDatabase(db), { config, logger: silentLogger, worker: 'late', threads: 1, leaseSeconds: 3, hostTimeoutSeconds: 20, pollMs: 50 })
  await http.requested('current0')
  await cancelRound(asDatabase(db))
  const late = await cancelled // the held request never answers: the lease renewal sees the cancel and aborts the crawl
  t.same({ results: late.results.length, lost: late.leasesLost }, { results: 0, lost: 1 }, 'the crawl in flight is abandoned, not stored')
  const [c0] = await db.sql<{ n: number }[]>`select count(*)::int as n from host_crawl_log where host_id = ${hosts[0].hostId}`
  t.equal(c0.n, 2, 'c0: the two crawls above, not a third')
})
