import t from 'tap'
import { createHash } from 'node:crypto'
import { chmodSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { UmdlSummary } from '../../src/lib/umdl/summary.js'
import { asDatabase, cliDatabaseKind, databaseKinds, openTestDatabase } from '../helpers/database.js'
import { ISO_DIR, ISO_NAME, ISO_CONTENT, OSTREE_SUMMARY, repomdXml, replaceFile } from '../helpers/master-tree.js'
import { startRsyncDaemon } from '../helpers/rsync-daemon.js'
import { runCli, runCliJson } from '../helpers/cli.js'
import { directorySources, fixture, settle, umdl, writeConfig } from '../helpers/umdl-fixture.js'

for (const kind of databaseKinds()) {
  t.test(`${kind}: directory sources — first run, unchanged run, changes, aging`, async (t) => {
    const { db, work, fedora, epel } = await fixture(t, kind)
    const config = writeConfig(work, directorySources(fedora, epel))
    const now = 1731500500 + 3600
    await settle()

    const first = await umdl(db, config, { now })
    t.equal(first.totals.failed, 0)
    t.ok(first.totals.directoriesNew > 40, `directories created (${first.totals.directoriesNew})`)

    const dirs = new Map((await db.sql<{ name: string; ctime: number; readable: boolean; files: { name: string; size: number; timestamp: number }[] }[]>`
      select name, ctime, readable, files from directory`).map((row) => [row.name, row]))
    t.ok(dirs.has('pub/fedora/linux/releases/41/Everything/x86_64/os/repodata'))
    t.notOk([...dirs.keys()].some((name) => name.includes('.snapshot') || name.includes('.~tmp~')), '.snapshot and .~tmp~ are always excluded')
    t.notOk(dirs.has('pub/fedora/linux/releases/20/Fedora/x86_64/os/Packages'), 'configured excludes apply')
    t.ok(dirs.get('pub/fedora/linux/releases/41')!.ctime > 1_700_000_000, 'ctime stored')
    const packages = dirs.get('pub/fedora/linux/releases/41/Everything/x86_64/os/Packages/a')!
    t.same(packages.files.map((file) => file.name), ['README', 'a-1.10.rpm', 'a-1.11.rpm', 'a-1.9.rpm'], 'short list: 3 newest rpms and every other file')
    t.same(packages.files.find((file) => file.name === 'a-1.11.rpm'), { name: 'a-1.11.rpm', size: 12, timestamp: 1731000011 })

    const repos = await db.sql<{ name: string; prefix: string | null; arch: string; version: string | null; isTest: boolean | null }[]>`
      select r.name, r.prefix, a.name as arch, v.name as version, v.is_test
      from repository r join arch a on a.id = r.arch_id left join version v on v.id = r.version_id order by r.name`
    const byPath = new Map(repos.map((repo) => [repo.name, repo]))
    const expectRepo = (path: string, prefix: string | null, arch: string, version: string) =>
      t.match(byPath.get(path), { prefix, arch, version }, path)
    expectRepo('pub/fedora/linux/releases/41/Everything/x86_64/os', 'fedora-41', 'x86_64', '41')
    expectRepo('pub/fedora/linux/releases/41/Everything/aarch64/os', 'fedora-41', 'aarch64', '41')
    expectRepo('pub/fedora/linux/releases/41/Everything/x86_64/debug/tree', 'fedora-debug-41', 'x86_64', '41')
    expectRepo('pub/fedora/linux/releases/41/Everything/source/tree', 'fedora-source-41', 'source', '41')
    expectRepo('pub/fedora/linux/releases/20/Fedora/x86_64/os', 'fedora-install-20', 'x86_64', '20')
    expectRepo('pub/fedora/linux/updates/41/Everything/x86_64', 'updates-released-f41', 'x86_64', '41')
    expectRepo('pub/fedora/linux/updates/testing/41/Everything/x86_64', 'updates-testing-f41', 'x86_64', '41')
    expectRepo('pub/fedora/linux/updates/testing/41/Everything/x86_64/debug', 'updates-testing-debug-f41', 'x86_64', '41')
    expectRepo('pub/fedora/linux/development/rawhide/Everything/x86_64/os', 'rawhide', 'x86_64', 'development')
    expectRepo('pub/fedora/linux/development/42/Everything/x86_64/os', 'fedora-42', 'x86_64', '42')
    expectRepo('pub/fedora/linux/releases/test/42_Beta/Everything/x86_64/os', null, 'x86_64', '42_Beta')
    t.equal(byPath.get('pub/fedora/linux/releases/test/42_Beta/Everything/x86_64/os')!.isTest, true, 'a /test/ path makes a test version')
    expectRepo('pub/epel/9/Everything/x86_64', 'epel-9', 'x86_64', '9')
    expectRepo('pub/epel/testing/9/Everything/x86_64', 'testing-epel9', 'x86_64', '9')
    expectRepo('pub/epel/9/Everything/x86_64/debug', 'epel-debug-9', 'x86_64', '9')
    t.equal(repos.length, 14)
    t.same(first.totals.versionsCreated.sort(), ['20', '42', '42_Beta', '9', 'development'], 'new releases create their versions; 41 existed')

    const details = await db.sql<{ name: string; filename: string; timestamp: number; size: number; md5: string | null; sha1: string | null; sha256: string | null; sha512: string | null }[]>`
      select d.name, f.filename, f.timestamp, f.size, f.md5, f.sha1, f.sha256, f.sha512
      from file_detail f join directory d on d.id = f.directory_id order by d.name, f.filename`
    const repomdPath = join(fedora, 'releases/41/Everything/x86_64/os/repodata/repomd.xml')
    const repomd = repomdXml([1731400000, 1731400100])
    const hash = (algorithm: string, content: string) => createHash(algorithm).update(content).digest('hex')
    t.same(details.find((row) => row.name === 'pub/fedora/linux/releases/41/Everything/x86_64/os/repodata'), {
      name: 'pub/fedora/linux/releases/41/Everything/x86_64/os/repodata',
      filename: 'repomd.xml',
      timestamp: 1731400100,
      size: Buffer.byteLength(repomd),
      md5: hash('md5', repomd),
      sha1: hash('sha1', repomd),
      sha256: hash('sha256', repomd),
      sha512: hash('sha512', repomd),
    }, 'repomd.xml: size, 4 hashes, newest <data> timestamp')
    t.match(details.find((row) => row.filename === ISO_NAME), { name: `pub/fedora/linux/${ISO_DIR}`, size: ISO_CONTENT.length, sha256: hash('sha256', ISO_CONTENT), md5: hash('md5', ISO_CONTENT), sha1: null })
    t.notOk(details.some((row) => row.filename === 'short-hash-ignored.iso'), 'wrong-length hash ignored')
    t.match(details.find((row) => row.name === 'pub/fedora/linux/ostree/repo'), {
      filename: 'summary',
      timestamp: 1731300000,
      size: OSTREE_SUMMARY.length,
      sha256: createHash('sha256').update(OSTREE_SUMMARY).digest('hex'),
      sha512: createHash('sha512').update(OSTREE_SUMMARY).digest('hex'),
    }, 'ostree summary: hashed, timestamp from its mtime')
    t.equal(first.totals.fileDetailsAdded, 16, '14 repomd.xml + 1 ISO + 1 ostree summary')

    // Unchanged: no per-file work, nothing written.
    const second = await umdl(db, config, { now })
    t.match(second.totals, { directoriesNew: 0, directoriesChanged: 0, filesRead: 0, directoriesListed: 0, fileDetailsAdded: 0, repositoriesCreated: 0 }, 'an unchanged tree: one stat per directory, no per-file work')
    t.equal(second.totals.directoriesSeen, first.totals.directoriesSeen)

    // A new repomd.xml: a new file detail, the previous one kept as the alternate.
    replaceFile(repomdPath, repomdXml([1731500000, 1731500500]))
    await settle()
    const third = await umdl(db, config, { now })
    t.match(third.totals, { directoriesChanged: 1, directoriesNew: 0, fileDetailsAdded: 1, fileDetailsAged: 0 })
    t.equal(third.totals.filesRead, 1, 'only the changed directory was read')
    const versions = async () =>
      (await db.sql<{ timestamp: number }[]>`
        select f.timestamp from file_detail f join directory d on d.id = f.directory_id
        where d.name = 'pub/fedora/linux/releases/41/Everything/x86_64/os/repodata' order by f.timestamp desc`).map((row) => row.timestamp)
    t.same(await versions(), [1731500500, 1731400100], 'newest and previous')

    // The same content again (touched, renamed): no new row.
    replaceFile(repomdPath, repomdXml([1731500000, 1731500500]))
    await settle()
    t.equal((await umdl(db, config, { now })).totals.fileDetailsAdded, 0, 'a detail equal to a stored one is not added again')

    // Aging: a third version; the oldest goes once it is more than 4 days old, the previous once the newest is 3 days old.
    replaceFile(repomdPath, repomdXml([1731600000]))
    await settle()
    const day = 86_400
    const aged = await umdl(db, config, { now: 1731400100 + 4 * day - 10 })
    t.same(await versions(), [1731600000, 1731500500, 1731400100], 'nothing is old enough yet')
    t.equal(aged.totals.fileDetailsAged, 0)
    await umdl(db, config, { now: 1731400100 + 4 * day + 10 })
    t.same(await versions(), [1731600000, 1731500500], 'the oldest, 4 days old, went; newest and previous stay')
    await umdl(db, config, { now: 1731600000 + 3 * day })
    t.same(await versions(), [1731600000], 'the previous goes once the newest is 3 days old')
    await umdl(db, config, { now: 1731600000 + 400 * day })
    t.same(await versions(), [1731600000], 'the newest always stays')

    // Unreadable: not world r+x, and so every directory below it.
    chmodSync(join(fedora, 'updates/testing'), 0o750)
    const chmodded = await umdl(db, config, { now })
    t.ok(chmodded.totals.readableChanged >= 5, `children follow their parent (${chmodded.totals.readableChanged})`)
    const readable = async (path: string) => (await db.sql<{ readable: boolean }[]>`select readable from directory where name = ${'pub/fedora/linux/' + path}`)[0].readable
    t.equal(await readable('updates/testing'), false)
    t.equal(await readable('updates/testing/41/Everything/x86_64/repodata'), false)
    t.equal(await readable('updates/41/Everything/x86_64/repodata'), true)
    chmodSync(join(fedora, 'updates/testing'), 0o755)

    // Gone directories stay without --delete-directories, and go with it.
    rmSync(join(fedora, 'releases/20'), { recursive: true })
    const kept = await umdl(db, config, { now })
    t.equal(kept.totals.directoriesGone, 5, 'releases/20 and below (its Packages were excluded)')
    t.equal(kept.totals.directoriesDeleted, 0)
    const dry = await umdl(db, config, { now, deleteDirectories: true, dryRun: true })
    t.equal(dry.totals.directoriesDeleted, kept.totals.directoriesGone, 'a dry run reports what it would delete')
    t.equal((await db.sql`select 1 from directory where name like 'pub/fedora/linux/releases/20%'`).length, 5, '... and deletes nothing')
    const deleted = await umdl(db, config, { now, deleteDirectories: true })
    t.equal(deleted.totals.directoriesDeleted, kept.totals.directoriesGone)
    t.equal((await db.sql`select 1 from directory where name like 'pub/fedora/linux/releases/20%'`).length, 0)
    t.equal((await db.sql`select 1 from repository where name like 'pub/fedora/linux/releases/20%'`).length, 0, 'with their repositories')
  })

  t.test(`${kind}: an unreadable or empty source fails its category and deletes nothing`, async (t) => {
    const { db, work, fedora, epel } = await fixture(t, kind)
    await umdl(db, writeConfig(work, directorySources(fedora, epel)))
    const before = await db.sql`select id, name, ctime from directory order by id`
    const unmounted = join(work, 'unmounted')
    mkdirSync(unmounted)
    await t.rejects(umdl(db, writeConfig(work, directorySources(unmounted, join(work, 'missing'))), { deleteDirectories: true }), {
      code: 'MM_PARTIAL_FAILURE',
      exitStatus: 8,
      message: /2 of 2 categories failed: Fedora Linux \(source .*unmounted is empty: is it mounted\?\); Fedora EPEL \(source .*missing cannot be read/,
    })
    t.same(await db.sql`select id, name, ctime from directory order by id`, before, 'nothing deleted or changed')
    await t.rejects(umdl(db, writeConfig(work, `[[umdl.category]]\nname = "Fedora Nope"\ntype = "directory"\npath = "${epel}"\n`)), {
      code: 'MM_PARTIAL_FAILURE',
      message: /Fedora Nope \(category "Fedora Nope" is not in the database; create it first/,
    })

    // One category fails, the other still runs; the summary is in the error's details.
    replaceFile(join(epel, '9/Everything/x86_64/repodata/repomd.xml'), repomdXml([1731999999]))
    const error = await umdl(db, writeConfig(work, directorySources(unmounted, epel))).catch((caught) => caught)
    t.equal(error.code, 'MM_PARTIAL_FAILURE')
    t.match(error.details, { totals: { failed: 1, fileDetailsAdded: 1 }, categories: [{ name: 'Fedora Linux', status: 'failed' }, { name: 'Fedora EPEL', status: 'ok' }] })
  })

  t.test(`${kind}: rsync source against a real rsync --daemon, and a fullfiletimelist source`, async (t) => {
    const { db, work, fedora, epel } = await fixture(t, kind)
    const daemon = await startRsyncDaemon({ modules: { 'fedora-linux': fedora } })
    t.teardown(() => daemon.stop())
    const ffl = join(work, 'master', 'pub', 'fullfiletimelist-epel')
    writeFileSync(ffl, fullfiletimelist(epel, 'epel'))
    const config = writeConfig(work, `
[[umdl.category]]
name = "Fedora Linux"
type = "rsync"
url = "${daemon.url('fedora-linux')}"
excludes = ["^updates/testing"]

[[umdl.category]]
name = "Fedora EPEL"
type = "fullfiletimelist"
path = "${ffl}"
subdir = "epel"
`)
    const first = await umdl(db, config)
    const linux = first.categories.find((category) => category.name === 'Fedora Linux')!
    t.equal(linux.status, 'ok', linux.error ?? '')
    const names = (await db.sql<{ name: string }[]>`select name from directory`).map((row) => row.name)
    t.ok(names.includes('pub/fedora/linux/releases/41/Everything/x86_64/os/repodata'), 'rsync: directories stored')
    t.notOk(names.some((name) => name.startsWith('pub/fedora/linux/updates/testing')), 'rsync: excludes apply')
    t.notOk(names.some((name) => name.includes('.snapshot')), 'rsync: .snapshot excluded')
    const [packages] = await db.sql<{ files: { name: string }[] }[]>`select files from directory where name = 'pub/fedora/linux/releases/41/Everything/x86_64/os/Packages/a'`
    t.equal(packages.files.length, 4, 'rsync: short file list')
    const prefixes = (await db.sql<{ prefix: string }[]>`select prefix from repository where prefix is not null order by prefix`).map((row) => row.prefix)
    t.ok(prefixes.includes('fedora-41') && prefixes.includes('rawhide') && prefixes.includes('epel-9') && prefixes.includes('testing-epel9'), prefixes.join(' '))
    t.ok(names.includes('pub/epel/9/Everything/x86_64/repodata'), 'fullfiletimelist: directories stored')
    const [epelDetail] = await db.sql<{ sha256: string }[]>`
      select f.sha256 from file_detail f join directory d on d.id = f.directory_id where d.name = 'pub/epel/9/Everything/x86_64/repodata'`
    t.match(epelDetail?.sha256, /^[0-9a-f]{64}$/, 'fullfiletimelist: repomd.xml hashed from the tree it describes')

    const second = await umdl(db, config)
    t.match(second.totals, { directoriesNew: 0, directoriesChanged: 0, fileDetailsAdded: 0 }, 'listing sources: unchanged second run')

    // An rsync failure (module gone) fails the category, deleting nothing.
    const count = (await db.sql`select 1 from directory`).length
    const broken = writeConfig(work, `
[[umdl.category]]
name = "Fedora Linux"
type = "rsync"
url = "${daemon.url('no-such-module')}"
`)
    await t.rejects(umdl(db, broken, { deleteDirectories: true }), { code: 'MM_PARTIAL_FAILURE', message: /Unknown module 'no-such-module'/ })
    t.equal((await db.sql`select 1 from directory`).length, count)
    // A truncated fullfiletimelist is a failure too, not a smaller tree.
    writeFileSync(ffl, fullfiletimelist(epel, 'epel').replace('[End]\n', ''))
    await t.rejects(umdl(db, config, { deleteDirectories: true, categories: ['^Fedora Linux'] }), { message: /ends without \[End\]/ })
    t.equal((await db.sql`select 1 from directory`).length, count)
  })

  t.test(`${kind}: one umdl at a time`, async (t) => {
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    const { withUmdlLock } = await import('../../src/lib/umdl/lock.js')
    const database = asDatabase(db)
    await withUmdlLock(database, async () => {
      if (kind === 'embedded') {
        // One connection = one session: a second acquisition from elsewhere is what the data-dir lock prevents;
        // the advisory lock is still taken (visible in pg_locks).
        const locks = await db.sql`select 1 from pg_locks where locktype = 'advisory'`
        t.equal(locks.length, 1)
      } else {
        await t.rejects(withUmdlLock(database, async () => {}), { code: 'MM_BUSY', exitStatus: 11, message: /another umdl is running on test postgres \(server process \d+/ })
      }
    })
    await withUmdlLock(database, async () => {}) // released
    t.pass('released after the run')
  })
}

function fullfiletimelist(top: string, prefix: string): string {
  const lines = ['[Version]', '2', '', '[Files]']
  const walk = (dir: string, rel: string) => {
    lines.push(`${Math.floor(statSync(dir).ctimeMs / 1000)}\td\t4096\t${rel}`)
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path, `${rel}/${entry.name}`)
      else lines.push(`${Math.floor(statSync(path).mtimeMs / 1000)}\tf\t${statSync(path).size}\t${rel}/${entry.name}`)
    }
  }
  walk(top, prefix)
  lines.push('[Checksums SHA1]', '[End]', '')
  return lines.join('\n')
}

for (const kind of databaseKinds()) {
  // The CLI over the library the tests above run on both databases: on one (cliDatabaseKind).
  if (kind === cliDatabaseKind()) t.test(`${kind}: the CLI — umdl --json with a config file, --list, the alias, exit statuses`, async (t) => {
    const { db, work, fedora, epel } = await fixture(t, kind)
    await db.disconnect()
    const config = writeConfig(work, directorySources(fedora, epel))

    const run = await runCliJson<UmdlSummary>(['umdl', '--config', config], { env: db.env })
    t.equal(run.status, 0, run.stderr)
    t.equal(run.stderr, '', 'silent unless something failed')
    t.match(run.json, { dryRun: false, totals: { failed: 0, repositoriesCreated: 14, fileDetailsAdded: 16 } })
    t.same(run.json.categories.map((category) => category.name), ['Fedora Linux', 'Fedora EPEL'])

    const cron = await runCli(['umdl', '--config', config], { env: db.env })
    t.equal(cron.status, 0, cron.stderr)
    t.equal(cron.stdout + cron.stderr, '', 'cron (no terminal): nothing printed on success')

    const list = await runCliJson<{ categories: { name: string; sources: string[] }[] }>(['update-master-directory-list', '--list', '--config', config], { env: db.env })
    t.equal(list.status, 0, list.stderr)
    t.same(list.json.categories[0], { name: 'Fedora Linux', sources: [`directory ${fedora} (1 exclude(s))`] })

    const unknown = await runCli(['umdl', '--config', config, '--category', 'Fedora Nope'], { env: db.env })
    t.equal(unknown.status, 5)
    t.match(unknown.stderr, /category "Fedora Nope" has no source in the config file/)

    const broken = writeConfig(work, directorySources(join(work, 'not-mounted'), epel))
    const partial = await runCliJson<{ error: { code: string; details: UmdlSummary } }>(['umdl', '--config', broken], { env: db.env })
    t.equal(partial.status, 8)
    t.match(partial.json.error, { code: 'MM_PARTIAL_FAILURE', details: { totals: { failed: 1 } } })
    t.match(partial.json.error, { message: /1 of 2 categories failed: Fedora Linux \(source .*not-mounted cannot be read/ })
    const cronFailure = await runCli(['umdl', '--config', broken], { env: db.env })
    t.equal(cronFailure.status, 8)
    t.match(cronFailure.stderr, /^Error: umdl: 1 of 2 categories failed: Fedora Linux \(source .*not-mounted cannot be read.*\nCode: MM_PARTIAL_FAILURE\n$/, "cron: the failure and its code, nothing else")
    t.equal(cronFailure.stdout, '')

    if (kind === 'postgres') {
      const sql = await db.reconnect()
      const { withUmdlLock } = await import('../../src/lib/umdl/lock.js')
      await withUmdlLock({ ...asDatabase(db), sql }, async () => {
        const busy = await runCli(['umdl', '--config', config], { env: db.env })
        t.equal(busy.status, 11, 'a second umdl gets exit status 11')
        t.match(busy.stderr, /another umdl is running on .*try again when it has finished\nCode: MM_BUSY/)
      })
    }
  })
}
