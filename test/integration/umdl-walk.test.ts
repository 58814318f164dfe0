/**
 * umdl's walk and its writes (split from umdl.test.ts, which has the runs end to end): the
 * scan worker against a walk in this thread, the working directory, a failure in the
 * middle of a category's writes, directory names that need quoting.
 */
import t from 'tap'
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { planCategory } from '../../src/lib/umdl/plan.js'
import { scanDirectorySourceHere } from '../../src/lib/umdl/scan-directory.js'
import { scanDirectorySource } from '../../src/lib/umdl/scan-thread.js'
import { storedTree, type DirectorySink, type ScanResult, type ScannedDirectory } from '../../src/lib/umdl/scan-types.js'
import { databaseKinds, type TestDatabase } from '../helpers/database.js'
import { buildMasterTree } from '../helpers/master-tree.js'
import { emptyFixture, settle, umdl, writeConfig } from '../helpers/umdl-fixture.js'

/** Every directory a walk hands its sink, by path (files and details sorted for comparison). */
async function collectWalk(walk: (sink: DirectorySink) => Promise<ScanResult>, slow = false) {
  const directories = new Map<string, ScannedDirectory>()
  let calls = 0
  const result = await walk((directory) => {
    directories.set(directory.path, directory)
    // A writer that is behind now and then: the walk must wait and lose nothing.
    return slow && ++calls % 7 === 0 ? new Promise<void>((resolve) => setTimeout(resolve, 2)) : undefined
  })
  return { directories, result }
}

t.test('scan worker: the same directories as a walk in this thread, through small batches and a slow writer', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'mm-umdl-walk-'))
  t.teardown(() => rmSync(work, { recursive: true, force: true }))
  const { fedora } = buildMasterTree(join(work, 'master'))
  await settle() // both walks outside the racy-ctime window, whatever the time between them
  const excludes = [/^releases\/20\/Fedora\/x86_64\/os\/Packages/]
  const here = await collectWalk((sink) => scanDirectorySourceHere(fedora, excludes, storedTree(new Map()), sink))
  const tiny = { batchDirectories: 2, batchFiles: 3, maxBatchesAhead: 1 }
  const worker = await collectWalk((sink) => scanDirectorySource(fedora, excludes, storedTree(new Map()), sink, undefined, tiny), true)
  t.ok(here.directories.size > 40, `${here.directories.size} directories`)
  t.same([...worker.directories.keys()].sort(), [...here.directories.keys()].sort(), 'same paths')
  t.same(worker.directories, here.directories, 'same ctimes, readable flags, files and file details')
  t.same(worker.result, here.result, 'same counters and warnings')
})

t.test('scan worker: a failing writer stops the walk and its error is the scan\'s', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'mm-umdl-walk-'))
  t.teardown(() => rmSync(work, { recursive: true, force: true }))
  const { fedora } = buildMasterTree(join(work, 'master'))
  let calls = 0
  await t.rejects(
    scanDirectorySource(fedora, [], storedTree(new Map()), () => {
      if (++calls === 3) return Promise.reject(new Error('the database went away'))
      return undefined
    }, undefined, { batchDirectories: 2, batchFiles: 100, maxBatchesAhead: 1 }),
    { message: 'the database went away' },
  )
  t.equal(calls, 3, 'nothing was handed on after the failure')
})

t.test('walks run from the source\'s top and leave the working directory where it was, also after a failure', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'mm-umdl-walk-'))
  t.teardown(() => rmSync(work, { recursive: true, force: true }))
  const { fedora } = buildMasterTree(join(work, 'master'))
  await settle()
  const cwd = process.cwd()
  const absolute = await collectWalk((sink) => scanDirectorySourceHere(fedora, [], storedTree(new Map()), sink))
  t.equal(process.cwd(), cwd, 'back after a walk in this thread')
  const fromRelative = relative(cwd, fedora) // a source path in the config may be relative
  const here = await collectWalk((sink) => scanDirectorySourceHere(fromRelative, [], storedTree(new Map()), sink))
  const worker = await collectWalk((sink) => scanDirectorySource(fromRelative, [], storedTree(new Map()), sink))
  t.equal(process.cwd(), cwd, 'back after a walk in the worker')
  t.ok([...absolute.directories.values()].some((directory) => directory.fileDetails?.length), 'file details (repomd.xml hashed) are found')
  t.same(here.directories, absolute.directories, 'a relative top: the same directories, files and file details')
  t.same(worker.directories, absolute.directories, 'the same through the worker')
  for (const scan of [scanDirectorySourceHere, scanDirectorySource]) {
    await t.rejects(scan(fedora, [], storedTree(new Map()), () => Promise.reject(new Error('the database went away'))), { message: 'the database went away' })
    t.equal(process.cwd(), cwd, `back after a failed ${scan.name}`)
  }
})

t.test('a directory that vanishes during the walk is skipped, and reported gone by the plan', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'mm-umdl-walk-'))
  t.teardown(() => rmSync(work, { recursive: true, force: true }))
  const top = join(work, 'top')
  mkdirSync(join(top, 'kept', 'deeper'), { recursive: true })
  writeFileSync(join(top, 'kept', 'file'), 'x')
  const ctime = (path: string) => Math.floor(statSync(join(top, path)).ctimeMs / 1000)
  // Stored: the top's ctime is current, so its stored children are visited without listing it:
  // 'vanished' was there at the last run and is gone by the time the walk gets to it.
  const stored = new Map([['', ctime('')], ['kept', 0], ['vanished', 5], ['vanished/below', 5]])
  const entries = new Map([...stored].map(([path, storedCtime]) => [path, { ctime: storedCtime }]))
  const { directories, result } = await collectWalk((sink) => scanDirectorySourceHere(top, [], storedTree(entries), sink))
  t.same([...directories.keys()].sort(), ['', 'kept', 'kept/deeper'])
  t.same(result.warnings, [], 'not a warning: gone is gone')
  const ids = new Map([...stored.keys()].map((path, index) => [path, { id: index + 1, ctime: stored.get(path)!, readable: true }]))
  t.same(planCategory(ids, [...directories.values()], 10).gone, [{ id: 3, path: 'vanished' }, { id: 4, path: 'vanished/below' }])
})

/** Makes the database fail at the nth directory row this transaction inserts or updates (the count is kept outside it). */
async function poisonDirectoryRows(db: TestDatabase, atRow: number, event: 'insert' | 'update'): Promise<void> {
  await db.sql.unsafe(`
    create sequence poison;
    create function poison() returns trigger language plpgsql as $$
    begin
      if nextval('poison') >= ${atRow} then raise exception 'poisoned at row %', currval('poison'); end if;
      return new;
    end $$;
    create trigger poison before ${event} on directory for each row execute function poison();`)
}

for (const kind of databaseKinds()) {
  t.test(`${kind}: a failure in the middle of a category's writes leaves the database as it was`, async (t) => {
    const { db, work } = await emptyFixture(t, kind)
    // More directories than one write batch, so that batches are written before the failure.
    const top = join(work, 'epel')
    for (let a = 0; a < 30; a++) for (let b = 0; b < 50; b++) mkdirSync(join(top, `a${a}`, `b${b}`), { recursive: true })
    const before = await db.sql`select id, name, ctime, files from directory order by id`
    const linksBefore = await db.sql`select category_id, directory_id from category_directory order by 1, 2`
    await poisonDirectoryRows(db, 1200, 'insert')
    await settle()
    const config = writeConfig(work, `[[umdl.category]]\nname = "Fedora EPEL"\ntype = "directory"\npath = "${top}"\n`)
    await t.rejects(umdl(db, config), { code: 'MM_PARTIAL_FAILURE', message: /Fedora EPEL \(poisoned at row 1200\)/ })
    const [{ written }] = await db.sql<{ written: number }[]>`select last_value as written from poison`
    t.ok(written >= 1200, 'batches of directories were written before the failure')
    t.same(await db.sql`select id, name, ctime, files from directory order by id`, before, 'no directory added or changed')
    t.same(await db.sql`select category_id, directory_id from category_directory order by 1, 2`, linksBefore, 'no link added')

    await db.sql.unsafe('drop trigger poison on directory')
    const again = await umdl(db, config)
    t.match(again.totals, { directoriesSeen: 1 + 30 + 30 * 50, directoriesNew: 30 + 30 * 50 }, 'the next run writes the whole category (the top existed)')
  })
}

for (const kind of databaseKinds()) {
  t.test(`${kind}: a routine run sends changed directories while it walks, and a failure still rolls them all back`, async (t) => {
    const { db, work } = await emptyFixture(t, kind)
    const top = join(work, 'epel')
    for (let a = 0; a < 30; a++) for (let b = 0; b < 50; b++) mkdirSync(join(top, `a${a}`, `b${b}`), { recursive: true })
    await settle()
    const config = writeConfig(work, `[[umdl.category]]\nname = "Fedora EPEL"\ntype = "directory"\npath = "${top}"\n`)
    await umdl(db, config)
    for (let a = 0; a < 30; a++) for (let b = 0; b < 10; b++) writeFileSync(join(top, `a${a}`, `b${b}`, 'new.rpm'), 'x')
    await settle()
    const before = await db.sql`select id, name, ctime, files from directory order by id`
    // Statements that write directories (counted outside the transaction), and a failure
    // at the 250th of the 300 changed rows.
    await db.sql.unsafe(`
      create sequence statements;
      create function count_statement() returns trigger language plpgsql as $$ begin perform nextval('statements'); return null; end $$;
      create trigger count_statement before insert on directory for each statement execute function count_statement();`)
    await poisonDirectoryRows(db, 250, 'update')
    await t.rejects(umdl(db, config), { code: 'MM_PARTIAL_FAILURE', message: /poisoned at row 250/ })
    t.same(await db.sql`select id, name, ctime, files from directory order by id`, before, 'no directory changed')
    await db.sql.unsafe('drop trigger poison on directory')
    const [{ statements: failedRun }] = await db.sql<{ statements: number }[]>`select last_value::int as statements from statements`
    t.ok(failedRun >= 2, `the changed rows went in more than one statement (${failedRun}), not one at the end`)
    const again = await umdl(db, config)
    t.match(again.totals, { directoriesChanged: 300, directoriesNew: 0, directoriesGone: 0 })
    const [{ changed }] = await db.sql<{ changed: number }[]>`select count(*)::int as changed from directory where files::text like '%new.rpm%'`
    t.equal(changed, 300, 'every changed directory is stored with its new file')
  })
}

for (const kind of databaseKinds()) {
  t.test(`${kind}: directory names with quotes, backslashes, newlines and accents survive the stored-state read`, async (t) => {
    const { db, work } = await emptyFixture(t, kind)
    const top = join(work, 'epel')
    const names = ['a "quoted" name', 'back\\slash', 'line\nbreak', 'café', 'comma,and space']
    for (const name of names) mkdirSync(join(top, name, 'inner'), { recursive: true })
    await settle()
    const config = writeConfig(work, `[[umdl.category]]\nname = "Fedora EPEL"\ntype = "directory"\npath = "${top}"\n`)
    const first = await umdl(db, config)
    t.equal(first.totals.directoriesNew, names.length * 2)
    const stored = (await db.sql<{ name: string }[]>`select name from directory where name like 'pub/epel/%' order by name`).map((row) => row.name)
    t.same(stored, names.flatMap((name) => [`pub/epel/${name}`, `pub/epel/${name}/inner`]).sort((a, b) => (a < b ? -1 : 1)))
    const second = await umdl(db, config)
    t.match(second.totals, { directoriesNew: 0, directoriesChanged: 0, directoriesGone: 0, directoriesListed: 0 }, 'read back exactly: an unchanged tree')
  })
}
