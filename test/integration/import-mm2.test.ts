import t from 'tap'
import { databaseKinds, openTestDatabase } from '../helpers/database.js'
import { createMm2Database } from '../helpers/mm2-source.js'
import { runCli } from '../helpers/cli.js'
import { importMm2 } from '../../src/lib/import-mm2/import-mm2.js'
import { importTables } from '../../src/lib/import-mm2/tables.js'
import { verifyPassword } from '../../src/lib/sites/password.js'
import type { Sql } from '../../src/lib/db/sql.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateSnapshot } from '../../src/lib/snapshot/generate.js'
import { loadSnapshot } from '../../src/lib/mirrorlist/index/read.js'
import { answerRequest } from '../helpers/answer-text.js'
import { lookupContext } from '../helpers/mirror-network.js'

const adminUrl = process.env.MM_TEST_DATABASE_URL
const skip = adminUrl ? false : 'import-mm2 tests need a PostgreSQL server for the MirrorManager2 database: set MM_TEST_DATABASE_URL (CI does)'

/** Everything imported, as comparable JSON (password hashes are salted: compared by verifying). */
async function dump(sql: Sql): Promise<Record<string, unknown[]>> {
  const tables: Record<string, unknown[]> = {}
  for (const { target, orderBy } of importTables) {
    const rows = await sql.unsafe(`select * from "${target}" order by ${orderBy.join(', ')}`)
    tables[target] = rows.map(({ passwordHash, ...row }) => ({ ...row, ...(passwordHash === undefined ? {} : { hasPassword: passwordHash !== null }) }))
  }
  return tables
}

/** Generates a snapshot of the imported database; returns "which hosts does a metalink offer". */
async function snapshotOffers(sql: Sql) {
  const directory = mkdtempSync(join(tmpdir(), 'mm-import-'))
  const output = join(directory, 'snapshot.avro')
  try {
    await generateSnapshot({ sql }, { output, resolveName: async (name) => (name === 'corp-nat.example.com' ? ['198.51.100.99'] : []) })
    const index = await loadSnapshot(output)
    return (repo: string, arch: string, clientIp: string, country?: string): string[] => {
      const answer = answerRequest(
        index,
        { path: '/metalink', query: `repo=${repo}&arch=${arch}`, clientIp },
        lookupContext(country ? { geo: { [clientIp]: country } } : {}),
      )
      const urls = [...answer.body.matchAll(/<url [^>]*>([^<]+)<\/url>/g)].map((match) => new URL(match[1]).hostname)
      return [...new Set(urls)]
    }
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
}

const expectedRows: Record<string, number> = {
  product: 2, arch: 4, version: 4, directory: 10, category: 3, category_directory: 10, site: 3, site_admin: 3, host: 4,
  host_country_allowed: 2, host_netblock: 5, host_peer_asn: 1, host_acl_ip: 2, host_category: 5, host_category_url: 8,
  host_category_dir: 12, repository: 4, file_detail: 5, repository_redirect: 2, country_continent_redirect: 2,
  embargoed_country: 2, netblock_country: 2, propagation_stat: 2, access_stat_category: 1, access_stat: 2,
}

t.test('import-mm2', { skip }, async (t) => {
  const source = await createMm2Database(adminUrl!)
  t.teardown(() => source.drop())

  for (const kind of databaseKinds()) {
    t.test(`${kind}: a MirrorManager2 installation is imported`, async (t) => {
      const db = await openTestDatabase(kind)
      t.teardown(() => db.destroy())
      const result = await importMm2(db.sql, { from: source.url })

      t.same(Object.fromEntries(result.tables.map((table) => [table.table, table.imported])), expectedRows, 'rows per table')
      t.same(
        result.skipped.map((skip) => [skip.table, skip.count, skip.reason]).sort(),
        [
          ['directory', 1, 'pickled file list skipped (directory imported, umdl re-reads it)'],
          ['host', 1, 'refers to a missing or skipped site'],
          ['host_category_dir', 1, 'duplicate of an imported row (a unique key)'],
          ['host_netblock', 1, 'invalid netblock'],
          ['site', 1, 'no name'],
          ['site_admin', 1, 'site admin without a user name'],
        ],
      )
      t.same(result.legacyTables, [
        { table: 'country', rows: 2 }, { table: 'file_group', rows: 0 }, { table: 'host_country', rows: 1 },
        { table: 'host_location', rows: 0 }, { table: 'location', rows: 0 }, { table: 'mm_group', rows: 0 }, { table: 'mm_user', rows: 1 },
      ])
      t.same(result.ignoredColumns, ['host.config'])
      t.notMatch(JSON.stringify(result), /nameless|univ-secret|corp pass/, 'no password in the summary')
      t.match(result.skipped.find((skip) => skip.table === 'host'), { examples: ['id=10 site_id=8 name=orphan.example'] })

      const hosts = await db.sql<{ id: number; name: string; siteId: number; country: string; bandwidthInt: number; maxConnections: number; private: boolean; asn: number | null; asnClients: boolean }[]>`
        select id, name, site_id, country, bandwidth_int, max_connections, private, asn, asn_clients from host order by id`
      t.same(hosts.map((host) => [host.id, host.name, host.siteId]), [
        [1, 'mirror.example.edu', 1], [2, 'mirror.corp.example', 2], [5, 'ftp.example.se', 1], [9, 'gone.example.fr', 7],
      ], 'host ids kept')
      t.match(hosts[2], { country: 'SE', bandwidthInt: 100, maxConnections: 1, private: false, asn: null, asnClients: true }, 'NULLs became defaults')

      const arches = await db.sql<{ id: number; name: string }[]>`select id, name from arch order by id`
      t.same(arches.map((arch) => `${arch.id}:${arch.name}`), ['1:x86_64', '2:aarch64', '3:source', '4:ppc64le'], 'arch ids are MirrorManager2\'s')

      const sites = await db.sql<{ id: number; passwordHash: string | null; private: boolean; adminActive: boolean }[]>`
        select id, password_hash, private, admin_active from site order by id`
      t.ok(await verifyPassword('univ-secret', sites[0].passwordHash), 'plain-text password hashed and verifiable')
      t.ok(await verifyPassword('corp pass', sites[1].passwordHash))
      t.notOk(await verifyPassword('univ-secret', sites[1].passwordHash))
      t.notMatch(sites[0].passwordHash, /univ-secret/)
      t.equal(sites[2].passwordHash, null, 'no password stays no password')
      t.match(sites[2], { private: false, adminActive: true })

      const netblocks = await db.sql<{ netblock: string }[]>`select netblock from host_netblock where host_id = 2 order by id`
      t.same(netblocks.map((row) => row.netblock), ['192.0.2.0/24', '2001:db8:100::/48', '198.51.100.7/32', 'corp-nat.example.com'])
      const [netblockCountry] = await db.sql<{ netblock: string }[]>`select netblock from netblock_country where id = 1`
      t.equal(netblockCountry.netblock, '192.0.2.128/25')

      const directories = await db.sql<{ id: number; files: unknown; ctime: number; readable: boolean }[]>`
        select id, files, ctime, readable from directory where id in (3, 4, 8, 9) order by id`
      t.same(directories[0].files, [{ name: 'repomd.xml', size: 4620, timestamp: 1729000100 }])
      t.match(directories[1], { files: [], ctime: 0, readable: true }, 'NULL file list, ctime and readable')
      t.same(directories[2].files, [{ name: 'repomd.xml', size: 3100, timestamp: 1731000500 }], 'dict-form file list')
      t.match(directories[3], { files: [], ctime: 0 }, 'pickled list dropped; ctime 0 so umdl reads it again')

      const urls = await db.sql<{ url: string }[]>`select url from host_category_url where id = 1`
      t.equal(urls[0].url, 'http://mirror.example.edu/fedora/linux', 'trailing slash removed')
      const history = await db.sql<{ sha256: string }[]>`select sha256 from file_detail where directory_id = 5 order by timestamp`
      t.same(history.map((row) => row.sha256), ['bbbb', 'cccc'], 'file detail history kept')
      const [hcd] = await db.sql<{ up2date: boolean }[]>`select up2date from host_category_dir where id = 9`
      t.equal(hcd.up2date, false, 'NULL up2date is not up to date')
      const countries = await db.sql<{ countryCode: string }[]>`select country_code from embargoed_country order by id`
      t.same(countries.map((row) => row.countryCode), ['KP', 'CU'])
      const [stat] = await db.sql<{ datetime: Date }[]>`select datetime from propagation_stat order by datetime limit 1`
      t.equal(stat.datetime.toISOString(), '2024-11-01T00:00:00.000Z', 'MM2 UTC timestamps stay UTC')

      // The mirrorlist answers as MirrorManager2 would for this installation.
      const offers = await snapshotOffers(db.sql)
      t.same(offers('fedora-41', 'x86_64', '100.64.0.1'), ['mirror.example.edu'], 'public, up-to-date, active hosts only')
      t.same(offers('fedora-41', 'x86_64', '192.0.2.50')[0], 'mirror.corp.example', 'private host to its dotted-netmask netblock, first')
      t.same(offers('fedora-41', 'x86_64', '198.51.100.7')[0], 'mirror.corp.example', 'private host to its bare-address netblock')
      t.same(offers('fedora-41', 'x86_64', '198.51.100.99')[0], 'mirror.corp.example', 'private host to its DNS-name netblock')
      t.same(offers('fedora-41', 'x86_64', '2001:db8:100::5')[0], 'mirror.corp.example', 'private host to its IPv6 netblock')
      t.notOk(offers('fedora-41', 'x86_64', '192.0.3.1').includes('mirror.corp.example'), 'not outside its netblocks')
      t.same(offers('updates-released-f41', 'x86_64', '100.64.0.2', 'SE'), ['ftp.example.se'], 'countries allowed: SE')
      t.notOk(offers('updates-released-f41', 'x86_64', '100.64.0.3', 'US').includes('ftp.example.se'), 'countries allowed: not US')
      t.same(offers('epel-9', 'x86_64', '100.64.0.1'), ['mirror.example.edu'])
      t.same(offers('fedora-41', 'aarch64', '100.64.0.4', 'NO'), ['ftp.example.se'], 'arch ids kept: aarch64 is aarch64')

      const [{ id: newSite }] = await db.sql<{ id: number }[]>`insert into site (name) values ('after import') returning id`
      t.equal(newSite, 8, 'sequences continue after the highest imported id')
      await db.sql`delete from site where id = ${newSite}`

      await t.rejects(importMm2(db.sql, { from: 'mysql://mm@127.0.0.1/mm' }), { code: 'MM_INVALID_INPUT', message: /--from must be a postgres:\/\/ URL/ })
      const before = await dump(db.sql)
      await t.rejects(importMm2(db.sql, { from: source.url }), { code: 'MM_CONFLICT', message: /^the target database is not empty \(2 product, 4 version, 10 directory, .*\): pass --replace/ })

      await db.sql`delete from host where id = 9`
      const dry = await importMm2(db.sql, { from: source.url, replace: true, dryRun: true })
      t.equal(dry.dryRun, true)
      t.same(dry.tables, result.tables, 'the dry run reports what a real run imports')
      t.equal((await db.sql`select 1 from host where id = 9`).length, 0, 'the dry run changed nothing')

      const again = await importMm2(db.sql, { from: source.url, replace: true })
      t.same(again.tables, result.tables)
      t.same(await dump(db.sql), before, 'importing again with --replace gives the same database')
      const [site] = await db.sql<{ passwordHash: string }[]>`select password_hash from site where id = 1`
      t.ok(await verifyPassword('univ-secret', site.passwordHash))
    })
  }

  t.test('embedded, through the CLI: summary, --json, refusal', async (t) => {
    const db = await openTestDatabase('embedded')
    t.teardown(() => db.destroy())
    await db.disconnect()
    const first = await runCli(['import-mm2', '--from', source.url], { env: db.env })
    t.equal(first.status, 0, first.stderr)
    t.match(first.stdout, /host_netblock\s*│\s*6\s*│\s*5\s*│\s*1/)
    t.match(first.stdout, /host_netblock: 1 × invalid netblock \(e\.g\. bad address or netmask in 10\.0\.0\.0\/255\.0\.255\.0\)/)
    t.match(first.stdout, /not imported \(legacy or unused\): country \(2 rows\)/)
    const refused = await runCli(['import-mm2', '--from', source.url], { env: db.env })
    t.equal(refused.status, 6)
    t.match(refused.stderr, /^Error: the target database is not empty \(.*\): pass --replace to empty it and import again\nCode: MM_CONFLICT$/m)
    const replaced = await runCli(['import-mm2', '--from', source.url, '--replace', '--json'], { env: db.env })
    t.equal(replaced.status, 0, replaced.stderr)
    t.match(JSON.parse(replaced.stdout), { dryRun: false, replaced: { host: 4, site: 3 } })
  })
})
