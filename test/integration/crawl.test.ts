import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathInCategory } from '../../src/lib/catalog/category-path.js'
import { resolveConfig } from '../../src/lib/config/resolve.js'
import { runCrawl, type CrawlOptions } from '../../src/lib/crawl/run-crawl.js'
import { selectHosts } from '../../src/lib/crawl/select-hosts.js'
import { propagationBucket, runPropagation } from '../../src/lib/crawl/propagation.js'
import { silentLogger } from '../../src/lib/log.js'
import { buildTrees, insertHost, insertMaster, PATHS, upToDateState } from '../helpers/crawl-fixture.js'
import { asDatabase, databaseKinds, openTestDatabase, type TestDatabase } from '../helpers/database.js'
import { startMirrorHttpServer } from '../helpers/mirror-http-server.js'
import { CATEGORY_PATH_TABLE } from '../helpers/path-rules-table.js'

const root = mkdtempSync(join(tmpdir(), 'mm-crawl-int-'))
t.teardown(() => rmSync(root, { recursive: true, force: true }))
const trees = buildTrees(root)
const http = await startMirrorHttpServer({
  ...Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`current${i}`, trees.current])),
  behind: trees.behind,
})
t.teardown(() => http.stop())

const crawl = (db: TestDatabase, options: Partial<CrawlOptions> = {}, env: Record<string, string> = {}) =>
  runCrawl(asDatabase(db), {
    config: resolveConfig({ env: { ...db.env, MM_CRAWL_REQUEST_TIMEOUT: '1', MM_CRAWL_LOG_KEEP: '5', ...env }, configFile: '/dev/null' }),
    logger: silentLogger,
    threads: 4,
    mode: 'full',
    hostTimeoutSeconds: 20,
    globalTimeoutSeconds: 60,
    dryRun: false,
    ...options,
  })

for (const kind of databaseKinds()) {
  t.test(`${kind}: auto-disable after 4 failures, reset and re-enable on success`, async (t) => {
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    const { categoryId } = await insertMaster(db.sql, trees.master)
    const flaky = await insertHost(db.sql, categoryId, { name: 'flaky', urls: ['http://127.0.0.1:1/current'] })
    await insertHost(db.sql, categoryId, { name: 'good', urls: [http.url('current0')] })
    for (let i = 1; i <= 4; i++) {
      const run = await crawl(db, { hosts: ['flaky'] })
      t.equal(run.hosts.unreachable, 1)
      t.equal(run.hosts.disabled, i === 4 ? 1 : 0, `crawl ${i}: disabled only after the 4th failure`)
    }
    const [disabled] = await db.sql<{ userActive: boolean; disableReason: string; crawlFailures: number }[]>`
      select user_active, disable_reason, crawl_failures from host where id = ${flaky.hostId}`
    t.equal(disabled.userActive, false)
    t.equal(disabled.crawlFailures, 4)
    t.match(disabled.disableReason, /4 consecutive failed crawls/)
    t.same((await crawl(db)).results.map((r) => r.name), ['good'], 'a disabled host is not crawled by default')

    await db.sql`update host_category_url set url = ${http.url('current1')} where host_category_id = ${flaky.hostCategoryId}`
    const back = await crawl(db, { hosts: ['flaky'], includeDisabled: true })
    t.equal(back.hosts.ok, 1)
    const [enabled] = await db.sql<{ userActive: boolean; disableReason: string | null; crawlFailures: number }[]>`
      select user_active, disable_reason, crawl_failures from host where id = ${flaky.hostId}`
    t.same(enabled, { userActive: true, disableReason: null, crawlFailures: 0 }, 'success resets the count and undoes the auto-disable')

    await db.sql`update host set user_active = false, disable_reason = 'operator: moving racks' where id = ${flaky.hostId}`
    await crawl(db, { hosts: ['flaky'], includeDisabled: true })
    const [manual] = await db.sql<{ userActive: boolean }[]>`select user_active from host where id = ${flaky.hostId}`
    t.equal(manual.userActive, false, 'a host an operator disabled stays disabled')
    const log = await db.sql<{ result: string }[]>`select result from host_crawl_log where host_id = ${flaky.hostId} order by id`
    t.same(log.map((entry) => entry.result), ['unreachable', 'unreachable', 'unreachable', 'ok', 'ok'], 'the newest crawl.log_keep (5) entries are kept')
  })

  t.test(`${kind}: --repodata and --canary`, async (t) => {
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    const { categoryId } = await insertMaster(db.sql, trees.master)
    const good = await insertHost(db.sql, categoryId, { name: 'good', urls: [http.url('current2')] })
    await crawl(db)
    await db.sql`update host_category_dir set up2date = false where host_category_id = ${good.hostCategoryId}`
    const before = http.requests.get('current2') ?? 0
    const repodata = await crawl(db, { mode: 'repodata' })
    t.equal(repodata.results[0].upToDate, 2, 'two repodata directories checked')
    t.equal(http.requests.get('current2'), before + 5, 'the repodata crawl: the list, two repomd.xml, two sampled files')
    const after = await upToDateState(db.sql, good.hostCategoryId)

    // A listing over crawl.max_listing_bytes is abandoned, never half-read: HEAD per file takes over.
    const capped = await crawl(db, { mode: 'repodata' }, { MM_CRAWL_MAX_LISTING_BYTES: '512' })
    t.equal(capped.results[0].upToDate, 2)
    const [entry] = await db.sql<{ summary: string }[]>`select summary from host_crawl_log order by id desc limit 1`
    t.match(entry.summary, /2 up to date, 0 stale via http \(before: fullfiletimelist .*more than the 512 (bytes )?allowed/, 'regression: an abandoned listing crashed the crawler (unhandled body error)')
    const beforeCanary = http.requests.get('current2') ?? 0
    t.equal(after.get(PATHS.repodata), true)
    t.equal(after.get(PATHS.packages), false, 'other directories untouched')

    await db.sql`update host_category_dir set up2date = true where host_category_id = ${good.hostCategoryId}`
    const canary = await crawl(db, { mode: 'canary' })
    t.equal(canary.hosts.ok, 1)
    t.equal(http.requests.get('current2'), beforeCanary + 1, 'a canary costs one request')
    t.ok([...(await upToDateState(db.sql, good.hostCategoryId)).values()].every(Boolean), 'canary ok: state kept')
    await db.sql`update host_category_url set url = 'http://127.0.0.1:1/x' where host_category_id = ${good.hostCategoryId}`
    const down = await crawl(db, { mode: 'canary' })
    t.equal(down.hosts.unreachable, 1)
    t.ok([...(await upToDateState(db.sql, good.hostCategoryId)).values()].every((up) => !up), 'canary failed: every directory marked not up to date')
  })

  t.test(`${kind}: host selection: --fraction without overlap, --continent, --startid/--stopid, slowest first`, async (t) => {
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    const { categoryId } = await insertMaster(db.sql, trees.master)
    const ids: number[] = []
    for (const [i, country] of ['SE', 'US', 'DE', 'JP', 'BR', 'FR', 'CA'].entries()) {
      ids.push((await insertHost(db.sql, categoryId, { name: `h${i}`, urls: [http.url(`current${i}`)], country })).hostId)
    }
    const names = async (selection: Parameters<typeof selectHosts>[1]) => (await selectHosts(db.sql, selection)).map((host) => host.name).sort()
    const parts = [await names({ fraction: [1, 3] }), await names({ fraction: [2, 3] }), await names({ fraction: [3, 3] })]
    t.same(parts.flat().sort(), ['h0', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6'], 'every host in exactly one fraction')
    t.ok(parts.every((part) => part.length > 0), 'no empty fraction for 7 hosts in 3 parts')
    t.same(await names({ continents: ['^EU'] }), ['h1', 'h3', 'h4', 'h6'], '^EU excludes Europe')
    t.same(await names({ continents: ['NA', 'SA'] }), ['h1', 'h4', 'h6'])
    t.same(await names({ startId: ids[2], stopId: ids[4] }), ['h2', 'h3'], 'stop id is exclusive')
    t.same(await names({ hosts: ['h5', String(ids[0])] }), ['h0', 'h5'], '--host by name or id')
    await db.sql`update host set private = true where id = ${ids[1]}`
    t.notOk((await names({})).includes('h1'), 'private hosts are skipped')
    t.ok((await names({ includePrivate: true })).includes('h1'), '--include-private')
    t.same(await names({ categories: ['Nope'] }), [], '--category filters')
    await db.sql`update host set last_crawl_duration = id * 10 where id <> ${ids[3]}`
    const order = (await selectHosts(db.sql, {})).map((host) => host.name)
    t.same(order, ['h3', 'h6', 'h5', 'h4', 'h2', 'h0'], 'never crawled first, then slowest first')
  })
}

for (const kind of databaseKinds()) {
  t.test(`${kind}: a crawl that stored results vacuums its tables on the embedded database; a server is left to autovacuum`, async (t) => {
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    const { categoryId } = await insertMaster(db.sql, trees.master)
    await insertHost(db.sql, categoryId, { name: 'good', urls: [http.url('current0')] })
    const lastVacuum = async () =>
      (await db.sql<{ lastVacuum: Date | null }[]>`select last_vacuum from pg_stat_user_tables where relname = 'host_category_dir'`)[0]!.lastVacuum
    await crawl(db, { dryRun: true })
    t.equal(await lastVacuum(), null, 'a dry run writes nothing and vacuums nothing')
    const run = await crawl(db)
    t.equal(run.hosts.ok, 1)
    const vacuumed = await lastVacuum()
    if (kind === 'embedded') t.ok(vacuumed, 'host_category_dir vacuumed after the crawl (PGlite has no autovacuum)')
    else t.equal(vacuumed, null, 'a server is left to its autovacuum')
  })
}

for (const kind of databaseKinds()) {
  t.test(`${kind}: SQL mm_path_in_category follows the same path table as pathInCategory`, async (t) => {
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    for (const [top, name, path] of CATEGORY_PATH_TABLE) {
      const [row] = await db.sql<{ path: string | null }[]>`select mm_path_in_category(${name}, ${top}) as path`
      t.equal(row!.path ?? undefined, path, `top ${JSON.stringify(top)}, name ${JSON.stringify(name)}`)
      t.equal(pathInCategory(top, name), path)
    }
  })
}

t.test('propagation buckets by days behind the newest version', async (t) => {
  const now = 1_731_412_300
  t.same(
    [now, now - 3600, now - 86400, now - 2 * 86400 - 5, now - 3 * 86400, undefined].map((ts) => propagationBucket(now, ts)),
    ['sameDay', 'sameDay', 'oneDay', 'twoDay', 'older', 'noInfo'],
  )
})

for (const kind of databaseKinds()) {
  t.test(`${kind}: crawl propagation counts mirrors per days behind and stores a row per run`, async (t) => {
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    const { categoryId, directoryIds } = await insertMaster(db.sql, trees.master)
    const [version] = await db.sql<{ id: number }[]>`insert into version (product_id, name) select product_id, '9' from category where id = ${categoryId} returning id`
    const [repo] = await db.sql<{ id: number }[]>`
      insert into repository (name, prefix, category_id, version_id, arch_id, directory_id)
      select 'epel-9-x86_64', 'updates-released-f9', ${categoryId}, ${version.id}, a.id, ${directoryIds.get('9/Everything/x86_64')!}
      from arch a where a.name = 'x86_64' returning id`
    await insertHost(db.sql, categoryId, { name: 'same', urls: [http.url('current0'), 'rsync://127.0.0.1:1/x'] })
    await insertHost(db.sql, categoryId, { name: 'behind', urls: [http.url('behind')] })
    await insertHost(db.sql, categoryId, { name: 'refused', urls: ['http://127.0.0.1:1/current'] })
    const config = resolveConfig({ env: { ...db.env, MM_CRAWL_REQUEST_TIMEOUT: '1' }, configFile: '/dev/null' })
    const run = await runPropagation(db.sql, config, { threads: 4, prefixes: ['updates-released-*'], dryRun: false }, silentLogger)
    t.same(run.repositories, [{ repositoryId: repo.id, prefix: 'updates-released-f9', arch: 'x86_64', sameDay: 1, oneDay: 1, twoDay: 0, older: 0, noInfo: 1 }])
    const stored = await db.sql<{ sameDay: number; oneDay: number; noInfo: number }[]>`select same_day, one_day, no_info from propagation_stat where repository_id = ${repo.id}`
    t.same(stored, [{ sameDay: 1, oneDay: 1, noInfo: 1 }])
    const none = await runPropagation(db.sql, config, { threads: 4, prefixes: ['epel-*'], dryRun: true }, silentLogger)
    t.same(none.repositories, [], 'other prefixes: nothing measured')
  })
}
