/**
 * The host command family end to end, addressing hosts as SITE/HOST, by unique name and
 * by id, on a fresh database (cliDatabaseKind) prepared through the library.
 */
import t from 'tap'
import { addCategory } from '../../src/lib/catalog/categories.js'
import { addProduct } from '../../src/lib/catalog/products.js'
import { addSite } from '../../src/lib/sites/sites.js'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cliRunner, dumpAdminTables } from '../helpers/admin.js'
import { cliDatabaseKind, openTestDatabase } from '../helpers/database.js'

// Each spawn starts node and oclif (and, on the embedded database, PGlite: ~2 s of CPU):
// on a busy machine this file needs more than the default per-file timeout.
t.setTimeout(900_000)

t.test('host add/list/show/update/remove and every host sub-command', async (t) => {
  const db = await openTestDatabase(cliDatabaseKind())
  t.teardown(() => db.destroy())
  await addProduct(db.sql, { name: 'Fedora' })
  await addCategory(db.sql, 'Fedora Linux', { product: 'Fedora', topdir: 'pub/fedora/linux' })
  await addCategory(db.sql, 'Fedora EPEL', { product: 'Fedora', topdir: 'pub/epel' })
  await addSite(db.sql, 'Example University')
  await db.disconnect()
  const mm = cliRunner(t, db.env)

  const host = (await mm(['host', 'add', 'Example University/mirror.example.edu', '--country', 'us', '--bandwidth', '10000',
    '--asn', '64500', '--max-connections', '4', '--internet2', '--robot-email', 'root@example.edu', '--category', 'Fedora Linux', '--json'])).json
  t.match(host, { id: 1, site: 'Example University', name: 'mirror.example.edu', country: 'US', bandwidth: 10000, asn: 64500,
    maxConnections: 4, internet2: true, private: false, adminActive: true, robotEmail: 'root@example.edu', lastCrawled: null })
  t.match((await mm(['host', 'list'])).stdout, /│ 1  │ Example University │ mirror\.example\.edu │ US\s+│ 10000\s+│ no\s+│ yes/)

  await mm(['host', 'category', 'add', 'mirror.example.edu', 'Fedora EPEL', '--always-up2date'])
  t.match((await mm(['host', 'url', 'add', 'Example University/mirror.example.edu', 'Fedora Linux', 'https://mirror.example.edu/fedora/linux/', '--json'])).json,
    { host: 'Example University/mirror.example.edu', category: 'Fedora Linux', url: 'https://mirror.example.edu/fedora/linux', private: false })
  await mm(['host', 'url', 'add', '1', 'Fedora Linux', 'rsync://mirror.example.edu/fedora-linux', '--private'])
  t.match((await mm(['host', 'netblock', 'add', '1', '192.0.2.0/255.255.255.0', '--name', 'campus', '--json'])).json, { kind: 'netblock', value: '192.0.2.0/24', name: 'campus' })
  await mm(['host', 'netblock', 'add', '1', '10.0.0.0/8', '--force'])
  await mm(['host', 'netblock', 'add', '1', 'Campus-Gw.Example.EDU'])
  await mm(['host', 'peer-asn', 'add', '1', 'AS4200000000'])
  await mm(['host', 'country-allowed', 'add', '1', 'ca'])
  await mm(['host', 'acl-ip', 'add', '1', '2001:DB8:0::10'])

  const shown = (await mm(['host', 'show', 'mirror.example.edu', '--json'])).json
  t.same(shown.categories, [
    { category: 'Fedora EPEL', alwaysUp2date: true, urls: [] },
    { category: 'Fedora Linux', alwaysUp2date: false, urls: [
      { url: 'https://mirror.example.edu/fedora/linux', private: false },
      { url: 'rsync://mirror.example.edu/fedora-linux', private: true },
    ] },
  ])
  t.same(shown.netblocks, ['10.0.0.0/8', '192.0.2.0/24', 'campus-gw.example.edu'])
  t.same([shown.peerAsns, shown.countriesAllowed, shown.aclIps], [[4200000000], ['CA'], ['2001:db8::10']])
  // regression (issue 22): netblock names were stored but shown nowhere, and there was no list command.
  t.same(shown.netblockNames, { '192.0.2.0/24': 'campus' })
  t.match((await mm(['host', 'show', 'mirror.example.edu'])).stdout, /192\.0\.2\.0\/24 \(campus\)/)
  t.match((await mm(['host', 'netblock', 'list', 'mirror.example.edu', '--json'])).json, [
    { kind: 'netblock', value: '10.0.0.0/8', name: null },
    { kind: 'netblock', value: '192.0.2.0/24', name: 'campus' },
    { kind: 'netblock', value: 'campus-gw.example.edu', name: null },
  ])
  t.match((await mm(['host', 'netblock', 'list', '1'])).stdout, /192\.0\.2\.0\/24\s+│ campus/)

  await mm(['host', 'url', 'remove', '1', 'rsync://mirror.example.edu/fedora-linux/'])
  await mm(['host', 'netblock', 'remove', '1', '10.0.0.0/255.0.0.0'])
  await mm(['host', 'peer-asn', 'remove', '1', '4200000000'])
  await mm(['host', 'country-allowed', 'remove', '1', 'CA'])
  await mm(['host', 'acl-ip', 'remove', '1', '2001:db8::10'])
  await mm(['host', 'category', 'remove', '1', 'Fedora EPEL'])
  await mm(['host', 'update', 'Example University/mirror.example.edu', '--no-admin-active', '--comment', 'disk failure', '--asn', ''])
  const text = (await mm(['host', 'show', '1'])).stdout
  t.match(text, /admin active\s+no\n/)
  t.match(text, /comment\s+disk failure\n/)
  t.match(text, /category\s+Fedora Linux: https:\/\/mirror\.example\.edu\/fedora\/linux\n/)
  t.match(text, /netblocks\s+192\.0\.2\.0\/24 \(campus\), campus-gw\.example\.edu\n/)
  t.match(text, /peer asns\s+\n/)

  t.match((await mm(['host', 'remove', '1', '--json'])).json, { removed: { id: 1, name: 'mirror.example.edu', asn: null } })
  t.match((await mm(['host', 'list'])).stdout, /no hosts/)
})

// issue 22: scripting 500 `host netblock add` lines took 500 spawns (~20 minutes); one
// `mirrormanager batch` runs them in one process and one transaction.
t.test('batch: 500 netblock lines in one process, all or nothing, quoting, stdin, refusals', async (t) => {
  const db = await openTestDatabase(cliDatabaseKind())
  t.teardown(() => db.destroy())
  await addProduct(db.sql, { name: 'Fedora' })
  await addCategory(db.sql, 'Fedora Linux', { product: 'Fedora', topdir: 'pub/fedora/linux' })
  await db.disconnect()
  const mm = cliRunner(t, db.env)
  const dir = mkdtempSync(join(tmpdir(), 'mm-batch-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const netblocks = Array.from({ length: 500 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`)
  const file = join(dir, 'netblocks.txt')
  writeFileSync(file, [
    '# the new university mirror',
    `site add 'Example University'   # single quotes`,
    'host add "Example University/mirror.example.edu" --country us --category Fedora\\ Linux',
    '',
    ...netblocks.map((netblock, i) => `host netblock add mirror.example.edu ${netblock}${i === 0 ? ' --name "campus \\"A\\""' : ''}`),
  ].join('\n'))

  const done = (await mm(['batch', file, '--json'])).json
  t.equal(done.dryRun, false)
  t.equal(done.lines.length, 502)
  t.match(done.lines[0], { line: 2, command: 'site add', result: { name: 'Example University' } })
  t.match(done.lines[2], { line: 5, command: 'host netblock add', result: { value: '10.0.0.0/24', name: 'campus "A"' } })
  const listed = (await mm(['host', 'netblock', 'list', 'mirror.example.edu', '--json'])).json
  t.same(listed.map((n: { value: string }) => n.value).sort(), [...netblocks].sort())
  t.match((await mm(['host', 'show', 'mirror.example.edu', '--json'])).json, { categories: [{ category: 'Fedora Linux' }] })

  const sql = await db.reconnect()
  const before = await dumpAdminTables(sql)
  await db.disconnect()
  // An error on line 3 (host bits set): lines 1-2 are rolled back, the line is named, its own code and status.
  const bad = ['host netblock add mirror.example.edu 192.0.2.0/24', 'site add "Second Site"', 'host netblock add mirror.example.edu 198.51.100.1/24', 'site add Third'].join('\n')
  writeFileSync(file, bad)
  const failed = await mm(['batch', file, '--json'], 4)
  t.match(failed.json.error, { code: 'MM_INVALID_INPUT', exitStatus: 4, details: { line: 3, text: 'host netblock add mirror.example.edu 198.51.100.1/24', rolledBack: true } })
  t.match(failed.json.error.message, /^line 3: host netblock add mirror\.example\.edu 198\.51\.100\.1\/24: .*host bits/)
  // The same from standard input, without --json: the message on stderr.
  t.match((await mm(['batch', '-'], 4, bad)).stderr, /Error: line 3: host netblock add .*\nCode: MM_INVALID_INPUT/)
  // A flag the command does not know: a usage error (exit 2) of that line.
  t.match((await mm(['batch', '-'], 2, 'site add Fourth\nhost netblock add mirror.example.edu 192.0.2.0/24 --bogus\n')).stderr, /line 2: .*Nonexistent flag: --bogus/)
  // Commands that are not admin commands are refused, naming the line.
  for (const line of ['serve-web --listen 127.0.0.1:0', 'db migrate']) {
    t.match((await mm(['batch', '-'], 2, `site add Fifth\n${line}\n`)).stderr, new RegExp(`line 2: ${line}: "${line.split(' ').slice(0, line.startsWith('db') ? 2 : 1).join(' ')}" cannot run in a batch`))
  }
  t.match((await mm(['batch', '-'], 2, 'site add Fifth\nuser add alice --email alice@example.org --password-stdin\n')).stderr, /line 2: .*--password-stdin cannot be given on a batch line/)
  t.match((await mm(['batch', '-'], 2, 'site add "Sixth\n')).stderr, /line 1: site add "Sixth: a double quote that is not closed/)
  // --dry-run runs and checks everything, then rolls back.
  t.match((await mm(['batch', '-', '--dry-run', '--json'], 0, 'site add Seventh\n')).json, { dryRun: true, lines: [{ line: 1, result: { name: 'Seventh' } }] })
  t.same(await dumpAdminTables(await db.reconnect()), before, 'the failed, refused and dry-run batches changed nothing')
})
