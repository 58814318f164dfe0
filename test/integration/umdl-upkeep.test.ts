/**
 * What a umdl run does besides scanning: the embedded database is vacuumed after the
 * category's writes (it has no autovacuum), a server is left to its own; routine runs
 * of a directory source take their stats from the stat-ahead worker.
 */
import t, { type Test } from 'tap'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createLogger } from '../../src/lib/log.js'
import { databaseKinds, type DatabaseKind, type TestDatabase } from '../helpers/database.js'
import { fixture, settle, umdl, writeConfig } from '../helpers/umdl-fixture.js'

interface TableState {
  relname: string
  /** Set by a VACUUM command (autovacuum sets last_autovacuum instead). */
  lastVacuum: Date | null
  /** As of the last VACUUM or ANALYZE. */
  relpages: number
  relallvisible: number
}

async function tableStates(db: TestDatabase): Promise<Map<string, TableState>> {
  const rows = await db.sql<TableState[]>`
    select s.relname, s.last_vacuum, c.relpages, c.relallvisible
    from pg_stat_user_tables s join pg_class c on c.oid = s.relid
    where s.relname in ('directory', 'category_directory', 'file_detail')`
  return new Map(rows.map((row) => [row.relname, row]))
}

/** A database of the kind with the Fedora categories, a master tree and a config file scanning it; removed after the test. */
async function categoryOnTree(t: Test, kind: DatabaseKind): Promise<{ db: TestDatabase; fedora: string; config: string }> {
  const { db, work, fedora } = await fixture(t, kind)
  const config = writeConfig(work, `[[umdl.category]]\nname = "Fedora Linux"\ntype = "directory"\npath = "${fedora}"\n`)
  await settle()
  return { db, fedora, config }
}

for (const kind of databaseKinds()) {
  t.test(`${kind}: after a run that wrote, the embedded database is vacuumed; a server is left to autovacuum`, async (t) => {
    const { db, fedora, config } = await categoryOnTree(t, kind)
    await umdl(db, config)
    const afterFirst = await tableStates(db)
    // A routine run that updates rows (dead tuples, pages no longer all-visible).
    mkdirSync(join(fedora, 'releases', '41', 'Everything', 'x86_64', 'os', 'new'))
    writeFileSync(join(fedora, 'updates', '41', 'Everything', 'x86_64', 'added.rpm'), 'x')
    await settle()
    const routine = await umdl(db, config)
    t.ok(routine.totals.directoriesChanged >= 2 && routine.totals.directoriesNew === 1, 'the routine run changed directories')
    const states = await tableStates(db)
    if (kind === 'embedded') {
      for (const table of ['directory', 'category_directory', 'file_detail']) {
        const first = afterFirst.get(table)?.lastVacuum
        t.ok(first, `${table} vacuumed after the first run`)
        t.ok(states.get(table)!.lastVacuum! > first!, `${table} vacuumed again after the routine run`)
      }
      // A page holding a dead tuple is never all-visible: none left behind.
      const directory = states.get('directory')!
      t.ok(directory.relpages > 0 && directory.relallvisible === directory.relpages, `every directory page all-visible (${directory.relallvisible} of ${directory.relpages})`)
      const vacuumedAt = directory.lastVacuum!.getTime()
      await settle()
      await umdl(db, config, { dryRun: true })
      await umdl(db, config)
      t.equal((await tableStates(db)).get('directory')!.lastVacuum!.getTime(), vacuumedAt, 'a run that wrote nothing (or a dry run) does not vacuum')
    } else {
      for (const [table, state] of states) t.equal(state.lastVacuum, null, `${table}: no VACUUM from umdl on a server`)
    }
  })

  t.test(`${kind}: a routine run of a directory source takes stats from the stat-ahead worker`, async (t) => {
    const { db, fedora, config } = await categoryOnTree(t, kind)
    const lines: string[] = []
    const logger = createLogger('debug', (line) => lines.push(line))
    await umdl(db, config, { logger })
    t.notOk(lines.some((line) => line.includes('stat-ahead')), 'not on a first run')
    lines.length = 0
    await umdl(db, config, { logger })
    t.match(lines.join(''), /scanned and wrote \d+ directories \(.*, \d+ stats from the stat-ahead worker\)/, 'on a routine run')
  })
}
