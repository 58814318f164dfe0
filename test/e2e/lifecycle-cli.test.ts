import t from 'tap'
import { cliDatabaseKind, openTestDatabase } from '../helpers/database.js'
import { runCli, runCliJson } from '../helpers/cli.js'
import { addInstallTrees, buildReleaseFixture, installRepositories, repositoryDirectories, TOP, ARCHIVE_TOP, SECONDARY_TOP } from '../helpers/lifecycle-fixture.js'

// The CLI and its servers are the subject here, not the database (the integration files run
// the library on both): one database, the server when there is one (cliDatabaseKind).
for (const kind of [cliDatabaseKind()]) {
  t.test(`${kind}: lifecycle commands as an operator runs them`, async (t) => {
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    await buildReleaseFixture(db.sql)
    await db.sql`update category set name = 'Old Archive' where name = 'Fedora Archive'`
    const before = await repositoryDirectories(db.sql)
    await db.disconnect()
    const cli = (args: string[]) => runCli(args, { env: db.env })

    const dry = await cli(['move-devel-to-release', '--version', '41', '--category', 'Fedora Linux', '--dry-run'])
    t.equal(dry.status, 0, dry.stderr)
    t.equal(
      dry.stdout,
      `${TOP}/development/41/Everything/aarch64/os => ${TOP}/releases/41/Everything/aarch64/os\n` +
        `${TOP}/development/41/Everything/x86_64/os => ${TOP}/releases/41/Everything/x86_64/os\n`,
    )
    t.match(dry.stderr, /dry run, nothing changed/)

    const noVersion = await cli(['move-devel-to-release', '--version', '99', '--category', 'Fedora Linux'])
    t.equal(noVersion.status, 5)
    t.match(noVersion.stderr, /^Error: Version 99 not found for product Fedora\nCode: MM_NOT_FOUND$/m)
    const noCategory = await cli(['move-devel-to-release', '--version', '41', '--category', 'Fedora Nope'])
    t.equal(noCategory.status, 5)
    t.match(noCategory.stderr, /^Error: No category could be found by the name: Fedora Nope \(available categories: Fedora Linux, Old Archive\)\nCode: MM_NOT_FOUND$/m)

    const noArchive = await cli(['move-to-archive', '--product', 'Fedora', '--version', '26'])
    t.equal(noArchive.status, 5)
    t.match(noArchive.stderr, /^Error: No category could be found by the name: Fedora Archive\nCode: MM_NOT_FOUND$/m)
    const noSuchVersion = await cli(['move-to-archive', '--product', 'Fedora', '--version', '25', '--archive-category', 'Old Archive'])
    t.equal(noSuchVersion.status, 5)
    t.match(noSuchVersion.stderr, /^Error: No such version: 25\nCode: MM_NOT_FOUND$/m)
    const neither = await cli(['move-to-archive', '--archive-category', 'Old Archive'])
    t.equal(neither.status, 2, 'neither --repository nor --product/--version is a usage error')

    await db.reconnect()
    t.same(await repositoryDirectories(db.sql), before, 'dry run and failed runs changed nothing')
    await db.disconnect()

    const partialDry = await cli(['move-to-archive', '--product', 'Fedora', '--version', '26', '--archive-category', 'Old Archive', '--dry-run'])
    t.equal(partialDry.status, 8, 'a dry run shows the partial failure too')
    t.equal(partialDry.stdout, `${TOP}/updates/26/x86_64 => ${ARCHIVE_TOP}/updates/26/x86_64\n${TOP}/updates/testing/26/x86_64 => ${ARCHIVE_TOP}/updates/testing/26/x86_64\n`)
    t.match(partialDry.stderr, /^Unable to find a directory in \[Old Archive\] for pub\/fedora\/linux\/releases\/26\/Everything\/x86_64\/os$/m)
    t.match(partialDry.stderr, /^Error: 1 of 3 repositories could not be moved to Old Archive \(dry run\)\nCode: MM_PARTIAL_FAILURE$/m)

    const partial = await runCliJson<{ error: { code: string; exitStatus: number; details: { moves: { to: string }[]; failed: { directory: string }[] } } }>(
      ['move-to-archive', '--product', 'Fedora', '--version', '26', '--archive-category', 'Old Archive'],
      { env: db.env },
    )
    t.equal(partial.status, 8, 'partial failure')
    t.match(partial.json.error, { code: 'MM_PARTIAL_FAILURE', exitStatus: 8 })
    t.same(partial.json.error.details.moves.map((move) => move.to), [`${ARCHIVE_TOP}/updates/26/x86_64`, `${ARCHIVE_TOP}/updates/testing/26/x86_64`])
    t.same(partial.json.error.details.failed.map((failure) => failure.directory), [`${TOP}/releases/26/Everything/x86_64/os`])

    const moved = await cli(['move-devel-to-release', '--version', '41', '--category', 'Fedora Linux'])
    t.equal(moved.status, 0, moved.stderr)
    t.equal(moved.stdout, dry.stdout, 'the real run did what the dry run showed')

    const expire = await runCliJson<{ expired: unknown[]; kept: number }>(['expire-repo', '--product', 'Fedora', '--version', '41'], { env: db.env })
    t.equal(expire.status, 0, expire.stderr)
    t.same(expire.json.expired, [])
    const noProduct = await cli(['expire-repo', '--product', 'Fedroa', '--version', '41'])
    t.equal(noProduct.status, 5)
    t.match(noProduct.stderr, /^Error: No such product: Fedroa\nCode: MM_NOT_FOUND$/m)

    await db.reconnect()
    const after = await repositoryDirectories(db.sql)
    t.equal(after['updates-testing-f26/x86_64'], `Old Archive: ${ARCHIVE_TOP}/updates/testing/26/x86_64`)
    t.equal(after['fedora-41/x86_64'], `Fedora Linux: ${TOP}/releases/41/Everything/x86_64/os`)

    await addInstallTrees(db.sql)
    await db.disconnect()
    const beta = `${TOP}/releases/test/41_Beta`
    const missing = await cli(['repo', 'create-install', '--version', '41', '--category', 'Fedora Linux', `${TOP}/releases/test/41_RC`])
    t.equal(missing.status, 5, 'an install tree missing from the master tree')
    t.match(missing.stderr, /^Error: not in the master tree \(run umdl first, or choose the arches with --arch\): pub\/fedora\/linux\/releases\/test\/41_RC\/Server\/armhfp\/os, /m)
    const createDry = await cli(['repo', 'create-install', '--version', '41', '--category', 'Fedora Linux', beta, '--dry-run'])
    t.equal(createDry.status, 0, createDry.stderr)
    t.equal(createDry.stdout, ['armhfp', 'i386', 'x86_64'].map((arch) => `create fedora-install-41 ${arch} (Fedora Linux, version 41): ${beta}/Server/${arch}/os\n`).join(''))
    t.match(createDry.stderr, /3 install repositories would be written \(dry run, nothing changed\)/)
    const created = await runCliJson<{ dryRun: boolean; changes: { action: string; repositoryId: number | null }[] }>(
      ['repo', 'create-install', '--version', '41', '--category', 'Fedora Linux', beta],
      { env: db.env },
    )
    t.equal(created.status, 0, created.stderr)
    t.equal(created.json.dryRun, false)
    t.same(created.json.changes.map((change) => change.action), ['create', 'create', 'create'])
    t.ok(created.json.changes.every((change) => typeof change.repositoryId === 'number'))
    const upgraded = await cli(['repo', 'upgrade-install', '--version', '41'])
    t.equal(upgraded.status, 0, upgraded.stderr)
    t.equal(
      upgraded.stdout,
      `repoint fedora-install-41 i386 (Fedora Secondary Arches, version 41): ${beta}/Server/i386/os => ${SECONDARY_TOP}/releases/41/Server/i386/os\n` +
        `repoint fedora-install-41 x86_64 (Fedora Linux, version 41): ${beta}/Server/x86_64/os => ${TOP}/releases/41/Server/x86_64/os\n`,
    )
    t.match(upgraded.stderr, /^not repointed: fedora-install-41 armhfp: pub\/fedora-secondary\/releases\/41\/Server\/armhfp\/os is not in the master tree \(run umdl first\)$/m)
    await db.reconnect()
    t.same(await installRepositories(db.sql), {
      armhfp: `Fedora Linux 41: ${beta}/Server/armhfp/os`,
      i386: `Fedora Secondary Arches 41: ${SECONDARY_TOP}/releases/41/Server/i386/os`,
      x86_64: `Fedora Linux 41: ${TOP}/releases/41/Server/x86_64/os`,
    })
  })
}
