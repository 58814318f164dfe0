import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateSnapshot } from '../../src/lib/snapshot/generate.js'
import { loadSnapshot } from '../../src/lib/mirrorlist/index/read.js'
import { answerRequest } from '../helpers/answer-text.js'
import { lookupContext } from '../helpers/mirror-network.js'
import type { Sql } from '../../src/lib/db/sql.js'
import { databaseKinds, openTestDatabase } from '../helpers/database.js'
import { addMirror, addRepomdHistory, buildReleaseFixture, repositoryDirectories, TOP, ARCHIVE_TOP } from '../helpers/lifecycle-fixture.js'
import { moveDevelToRelease } from '../../src/lib/lifecycle/move-devel-to-release.js'
import { moveToArchive } from '../../src/lib/lifecycle/move-to-archive.js'
import { expireRepo } from '../../src/lib/lifecycle/expire-repo.js'
import { formatMove } from '../../src/lib/lifecycle/repository-move.js'

for (const kind of databaseKinds()) {
  t.test(`${kind}: lifecycle`, async (t) => {
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    const fixture = await buildReleaseFixture(db.sql)
    const before = await repositoryDirectories(db.sql)

    t.test('move-devel-to-release --dry-run changes nothing but lists the moves', async (t) => {
      const plan = await moveDevelToRelease(db.sql, { version: '41', category: 'Fedora Linux', dryRun: true })
      t.same(plan.moves.map(formatMove), [
        `${TOP}/development/41/Everything/aarch64/os => ${TOP}/releases/41/Everything/aarch64/os`,
        `${TOP}/development/41/Everything/x86_64/os => ${TOP}/releases/41/Everything/x86_64/os`,
      ])
      t.same(await repositoryDirectories(db.sql), before)
    })

    t.test('move-devel-to-release moves what has a free release directory', async (t) => {
      const result = await moveDevelToRelease(db.sql, { version: '41', category: 'Fedora Linux' })
      t.equal(result.moves.length, 2)
      t.same(
        result.skipped.map((skip) => [skip.prefix, skip.reason]),
        [
          ['fedora-source-41', `${TOP}/releases/41/Everything/source/tree is not in the master tree`],
          ['fedora-server-41', `${TOP}/releases/41/Server/x86_64/os already has a repository (fedora-server-41-release)`],
        ],
      )
      const after = await repositoryDirectories(db.sql)
      t.equal(after['fedora-41/x86_64'], `Fedora Linux: ${TOP}/releases/41/Everything/x86_64/os`)
      t.equal(after['fedora-41/aarch64'], `Fedora Linux: ${TOP}/releases/41/Everything/aarch64/os`)
      t.equal(after['fedora-source-41/source'], before['fedora-source-41/source'], 'no release directory: left alone')
      t.equal(after['fedora-410/x86_64'], before['fedora-410/x86_64'], 'development/410 is not development/41')
      const again = await moveDevelToRelease(db.sql, { version: '41', category: 'Fedora Linux' })
      t.equal(again.moves.length, 0, 'a second run has nothing left to move')
    })

    t.test('move-devel-to-release errors', async (t) => {
      await t.rejects(moveDevelToRelease(db.sql, { version: '41', category: 'Fedora Nope' }), {
        code: 'MM_NOT_FOUND',
        message: 'No category could be found by the name: Fedora Nope (available categories: Fedora Archive, Fedora Linux)',
      })
      await t.rejects(moveDevelToRelease(db.sql, { version: '99', category: 'Fedora Linux' }), {
        code: 'MM_NOT_FOUND',
        message: 'Version 99 not found for product Fedora',
      })
    })

    t.test('move-to-archive: one directory missing in the archive, the others move', async (t) => {
      const beforeArchive = await repositoryDirectories(db.sql)
      const dry = await moveToArchive(db.sql, { product: 'Fedora', version: '26', dryRun: true })
      t.same(await repositoryDirectories(db.sql), beforeArchive, 'dry run changed nothing')
      const result = await moveToArchive(db.sql, { product: 'Fedora', version: '26' })
      t.same(dry.moves, result.moves, 'the dry run showed exactly what happened')
      t.same(result.moves.map(formatMove), [
        `${TOP}/updates/26/x86_64 => ${ARCHIVE_TOP}/updates/26/x86_64`,
        `${TOP}/updates/testing/26/x86_64 => ${ARCHIVE_TOP}/updates/testing/26/x86_64`,
      ])
      t.same(result.failed.map((failure) => failure.reason), [
        `Unable to find a directory in [Fedora Archive] for ${TOP}/releases/26/Everything/x86_64/os`,
      ])
      const after = await repositoryDirectories(db.sql)
      t.equal(after['updates-testing-f26/x86_64'], `Fedora Archive: ${ARCHIVE_TOP}/updates/testing/26/x86_64`)
      t.equal(after['fedora-26/x86_64'], beforeArchive['fedora-26/x86_64'])
      const again = await moveToArchive(db.sql, { repository: 'updates-testing-f26' })
      t.same(again.skipped.map((skip) => skip.reason), ['already archived'])
      t.equal(again.moves.length, 0)
    })

    t.test('move-to-archive errors', async (t) => {
      await t.rejects(moveToArchive(db.sql, { product: 'Fedora', version: '26', archiveCategory: 'Nope Archive' }), {
        message: 'No category could be found by the name: Nope Archive',
      })
      await t.rejects(moveToArchive(db.sql, { product: 'Fedora', version: '25' }), { message: 'No such version: 25', code: 'MM_NOT_FOUND' })
      await t.rejects(moveToArchive(db.sql, { product: 'Fedoar', version: '26' }), { message: 'No such product: Fedoar' })
      await t.rejects(moveToArchive(db.sql, { product: 'Fedora' }), { code: 'MM_USAGE' })
      await t.rejects(moveToArchive(db.sql, { repository: 'x', directoryRegex: '(' }), { code: 'MM_INVALID_INPUT' })
    })

    t.test('expire-repo keeps only the newest file detail per file', async (t) => {
      await addRepomdHistory(db.sql, fixture)
      const count = async () => (await db.sql<{ n: number }[]>`select count(*)::int as n from file_detail`)[0].n
      const dry = await expireRepo(db.sql, { product: 'Fedora', version: '41', dryRun: true })
      t.equal(await count(), 7, 'dry run removed nothing')
      t.same(dry.expired.map((row) => `${row.filename} ${row.timestamp}`), ['summary 400', 'repomd.xml 2000', 'repomd.xml 1000'])
      const result = await expireRepo(db.sql, { product: 'Fedora', version: '41' })
      t.same(result.expired, dry.expired)
      t.equal(result.kept, 2)
      const left = await db.sql<{ sha256: string }[]>`select sha256 from file_detail order by sha256`
      t.same(left.map((row) => row.sha256), ['ccc', 'sss', 'x1', 'x2'], 'newest kept; other versions untouched')
      await t.rejects(expireRepo(db.sql, { product: 'Fedora', version: '7' }), { message: 'No such version: 7' })
    })
  })
}

/** The repomd.xml URLs a dnf client gets in the metalink for fedora-41/x86_64, from a fresh snapshot. */
async function metalinkUrls(sql: Sql, directory: string): Promise<string[]> {
  const output = join(directory, `snapshot-${Date.now()}.avro`)
  await generateSnapshot({ sql }, { output, resolveName: async () => [] })
  const index = await loadSnapshot(output)
  const answer = answerRequest(index, { path: '/metalink', query: 'repo=fedora-41&arch=x86_64', clientIp: '192.0.2.1' }, lookupContext())
  return [...answer.body.matchAll(/<url [^>]*>([^<]+)<\/url>/g)].map((match) => match[1])
}

for (const kind of databaseKinds()) {
  t.test(`${kind}: after move-devel-to-release the metalink points to the release tree`, async (t) => {
    const db = await openTestDatabase(kind)
    const directory = mkdtempSync(join(tmpdir(), 'mm-lifecycle-'))
    t.teardown(async () => {
      await db.destroy()
      rmSync(directory, { recursive: true, force: true })
    })
    const fixture = await buildReleaseFixture(db.sql)
    await addMirror(db.sql, fixture)
    t.same(await metalinkUrls(db.sql, directory), [`https://mirror.example/fedora/linux/development/41/Everything/x86_64/os/repodata/repomd.xml`])
    await moveDevelToRelease(db.sql, { version: '41', category: 'Fedora Linux' })
    t.same(await metalinkUrls(db.sql, directory), [`https://mirror.example/fedora/linux/releases/41/Everything/x86_64/os/repodata/repomd.xml`])
  })
}
