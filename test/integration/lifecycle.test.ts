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
import {
  addInstallTrees, addMirror, addRepomdHistory, buildReleaseFixture, installRepositories, repositoryDirectories, ARCHIVE_TOP, SECONDARY_TOP, TOP,
} from '../helpers/lifecycle-fixture.js'
import { createInstallRepositories, formatInstallChange, upgradeInstallRepositories } from '../../src/lib/repos/install-repositories.js'
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

    t.test('repo create-install: all or nothing, then the three install repositories', async (t) => {
      await addInstallTrees(db.sql)
      const beta = `${TOP}/releases/test/41_Beta`
      const count = async () => (await db.sql<{ n: number }[]>`select count(*)::int as n from repository`)[0].n
      const repositories = await count()
      const create = (options: Partial<Parameters<typeof createInstallRepositories>[1]>) =>
        createInstallRepositories(db.sql, { version: '41', category: 'Fedora Linux', basePath: beta, ...options })
      await t.rejects(create({ category: 'Fedora Nope' }), { code: 'MM_NOT_FOUND', message: /^No category could be found by the name: Fedora Nope/ })
      await t.rejects(create({ version: '99' }), { code: 'MM_NOT_FOUND', message: 'Version 99 not found for product Fedora' })
      await t.rejects(create({ arches: ['x86_64', 'vax'] }), { code: 'MM_NOT_FOUND', message: 'No such arch: vax (see `mirrormanager arch list`)' })
      await t.rejects(create({ basePath: `${TOP}/releases/test/41_RC` }), {
        code: 'MM_NOT_FOUND',
        message: `not in the master tree (run umdl first, or choose the arches with --arch): ${['armhfp', 'i386', 'x86_64'].map((arch) => `${TOP}/releases/test/41_RC/Server/${arch}/os`).join(', ')}`,
      })
      await t.rejects(create({ basePath: `${SECONDARY_TOP}/releases/41` }), { code: 'MM_USAGE', message: `${SECONDARY_TOP}/releases/41 is not inside category Fedora Linux (its top directory is ${TOP})` })
      await t.rejects(create({ basePath: `/srv/${beta}` }), { code: 'MM_INVALID_INPUT' })
      t.equal(await count(), repositories, 'refused runs wrote nothing')

      const dry = await create({ basePath: `${beta}/`, dryRun: true })
      t.same(dry.changes.map(formatInstallChange), ['armhfp', 'i386', 'x86_64'].map((arch) => `create fedora-install-41 ${arch} (Fedora Linux, version 41): ${beta}/Server/${arch}/os`))
      t.equal(await count(), repositories, 'dry run wrote nothing')
      const result = await create({})
      t.same(result.changes.map(formatInstallChange), dry.changes.map(formatInstallChange), 'the dry run showed what happened')
      t.ok(result.changes.every((change) => change.repositoryId !== null))
      t.same(await installRepositories(db.sql), {
        armhfp: `Fedora Linux 41: ${beta}/Server/armhfp/os`,
        i386: `Fedora Linux 41: ${beta}/Server/i386/os`,
        x86_64: `Fedora Linux 41: ${beta}/Server/x86_64/os`,
      })
      const [named] = await db.sql<{ name: string }[]>`select name from repository where id = ${result.changes[2].repositoryId}`
      t.equal(named.name, `${beta}/Server/x86_64/os`, 'name is the directory path, as MirrorManager2 set it')
    })

    t.test('repo upgrade-install repoints to the release trees, primary and secondary', async (t) => {
      const before = await installRepositories(db.sql)
      const dry = await upgradeInstallRepositories(db.sql, { version: '41', dryRun: true })
      t.same(await installRepositories(db.sql), before, 'dry run changed nothing')
      const result = await upgradeInstallRepositories(db.sql, { version: '41' })
      t.same(result.changes, dry.changes)
      t.same(result.changes.map(formatInstallChange), [
        `repoint fedora-install-41 i386 (Fedora Secondary Arches, version 41): ${TOP}/releases/test/41_Beta/Server/i386/os => ${SECONDARY_TOP}/releases/41/Server/i386/os`,
        `repoint fedora-install-41 x86_64 (Fedora Linux, version 41): ${TOP}/releases/test/41_Beta/Server/x86_64/os => ${TOP}/releases/41/Server/x86_64/os`,
      ])
      t.same(result.skipped.map((skip) => `${skip.arch}: ${skip.reason}`), [`armhfp: ${SECONDARY_TOP}/releases/41/Server/armhfp/os is not in the master tree (run umdl first)`])
      const after = await installRepositories(db.sql)
      t.equal(after.i386, `Fedora Secondary Arches 41: ${SECONDARY_TOP}/releases/41/Server/i386/os`)
      t.equal(after.armhfp, before.armhfp)
      const again = await upgradeInstallRepositories(db.sql, { version: '41' })
      t.same(again.changes, [], 'a second run has nothing left to do')
      t.same(again.skipped.map((skip) => `${skip.arch}: ${skip.reason}`).sort(), ['armhfp: ' + result.skipped[0].reason, 'i386: already there', 'x86_64: already there'])

      const back = await createInstallRepositories(db.sql, { version: '41', category: 'Fedora Linux', basePath: `${TOP}/releases/test/41_Beta`, arches: ['x86_64'] })
      t.same(back.changes.map(formatInstallChange), [
        `repoint fedora-install-41 x86_64 (Fedora Linux, version 41): ${TOP}/releases/41/Server/x86_64/os => ${TOP}/releases/test/41_Beta/Server/x86_64/os`,
      ], 'create-install on an existing repository repoints it, as MirrorManager2 did')
    })

    t.test('repo upgrade-install errors', async (t) => {
      const before = await installRepositories(db.sql)
      await t.rejects(upgradeInstallRepositories(db.sql, { version: 'development' }), { code: 'MM_USAGE' })
      await t.rejects(upgradeInstallRepositories(db.sql, { version: '99' }), { code: 'MM_NOT_FOUND', message: 'No such version: 99' })
      await t.rejects(upgradeInstallRepositories(db.sql, { version: '41', product: 'Fedroa' }), { code: 'MM_NOT_FOUND', message: 'No such product: Fedroa' })
      await t.rejects(upgradeInstallRepositories(db.sql, { version: '41', category: 'Fedora Nope' }), { code: 'MM_NOT_FOUND' })
      const noSecondary = await upgradeInstallRepositories(db.sql, { version: '41', secondaryCategory: 'Nope', dryRun: true })
      t.same(noSecondary.skipped.map((skip) => `${skip.arch}: ${skip.reason}`).sort(), [
        'armhfp: no category Nope for the secondary arch armhfp',
        'i386: no category Nope for the secondary arch i386',
      ])
      t.same(await installRepositories(db.sql), before, 'nothing changed')
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
