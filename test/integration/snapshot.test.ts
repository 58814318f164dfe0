/**
 * generate-snapshot against a real database (embedded, and PostgreSQL when
 * MM_TEST_DATABASE_URL is set): a small network built by SQL, the snapshot written by the
 * library and by the CLI, loaded back, and answered from.
 */
import t from 'tap'
import { createHash } from 'node:crypto'
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync, statSync } from 'node:fs'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import avro from 'avsc'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { databaseKinds, openTestDatabase } from '../helpers/database.js'
import { runCli, runCliJson } from '../helpers/cli.js'
import { generateSnapshot, type GenerateSummary } from '../../src/lib/snapshot/generate.js'
import { loadSnapshot } from '../../src/lib/mirrorlist/index/read.js'
import { writeSnapshotEntries, readSnapshotStats } from '../../src/lib/snapshot/write.js'
import { containerBlocks, contentSha256, readContainerHeader } from '../../src/lib/snapshot/container.js'
import { CONTENT_SHA256_METADATA_KEY, FORMAT_METADATA_KEY, SNAPSHOT_FORMAT_VERSION, STATS_METADATA_KEY, snapshotEntryType, snapshotSchema, type SnapshotEntry } from '../../src/lib/snapshot/schema.js'
import { answerRequest } from '../helpers/answer-text.js'
import { SnapshotError } from '../../src/lib/errors.js'
import { silentLogger } from '../../src/lib/log.js'
import type { Sql } from '../../src/lib/db/sql.js'
import { lookupContext, MirrorNetwork } from '../helpers/mirror-network.js'

const UPDATES = 'pub/fedora/linux/updates/41/Everything/x86_64'
const RELEASES = 'pub/fedora/linux/releases/41/Everything/x86_64/os'

async function seed(sql: Sql): Promise<void> {
  await sql`insert into product (name) values ('Fedora')`
  const directories = ['pub/fedora/linux', UPDATES, `${UPDATES}/repodata`, RELEASES, 'pub/unrelated']
  for (const name of directories) await sql`insert into directory (name) values (${name})`
  await sql`
    insert into category (name, product_id, topdir_id)
    select 'Fedora Linux', p.id, d.id from product p, directory d where d.name = 'pub/fedora/linux'`
  await sql`
    insert into category_directory (category_id, directory_id)
    select c.id, d.id from category c, directory d where d.name like 'pub/fedora/linux%'`
  await sql`
    insert into site (name, private, admin_active) values ('public', false, true), ('corp', true, true), ('gone', false, false)`
  const host = async (site: string, name: string, country: string, extra: { bandwidth?: number; asn?: number } = {}) => {
    const [row] = await sql<{ id: number }[]>`
      insert into host (site_id, name, country, bandwidth_int, asn)
      select id, ${name}, ${country}, ${extra.bandwidth ?? 100}, ${extra.asn ?? null} from site where name = ${site}
      returning id`
    return row!.id
  }
  const se = await host('public', 'se.example', 'se', { asn: 64500 })
  const de = await host('public', 'de.example', 'DE')
  const gone = await host('gone', 'gone.example', 'US')
  const corp = await host('corp', 'corp.example', 'SE')
  const us = await host('public', 'us.example', 'US', { bandwidth: 5000 })
  const hostCategory = async (hostId: number, urls: [string, boolean][], always = false) => {
    const [row] = await sql<{ id: number }[]>`
      insert into host_category (host_id, category_id, always_up2date)
      select ${hostId}, id, ${always} from category returning id`
    for (const [url, isPrivate] of urls) {
      await sql`insert into host_category_url (host_category_id, url, private) values (${row!.id}, ${url}, ${isPrivate})`
    }
    return row!.id
  }
  const seCategory = await hostCategory(se, [['https://se.example/fedora/', false], ['rsync://se.example/fedora', false], ['http://se.internal/fedora', true]])
  await hostCategory(de, [['http://de.example/fedora', false]], true)
  const goneCategory = await hostCategory(gone, [['http://gone.example/fedora', false]], true)
  const corpCategory = await hostCategory(corp, [['https://corp.example/fedora', false]])
  const usCategory = await hostCategory(us, [['https://us.example/fedora', false]])
  const upToDate = async (hostCategoryId: number, directory: string, up2date: boolean) => {
    await sql`
      insert into host_category_dir (host_category_id, directory_id, path, up2date)
      select ${hostCategoryId}, id, ${directory.replace('pub/fedora/linux/', '')}, ${up2date} from directory where name = ${directory}`
  }
  for (const directory of [UPDATES, `${UPDATES}/repodata`, RELEASES]) {
    await upToDate(seCategory, directory, true)
    await upToDate(corpCategory, directory, true)
    await upToDate(goneCategory, directory, true)
  }
  await upToDate(usCategory, UPDATES, false)
  await upToDate(usCategory, `${UPDATES}/repodata`, false)
  await upToDate(usCategory, RELEASES, true)
  await sql`insert into host_country_allowed (host_id, country) values (${de}, 'DE'), (${de}, 'AT')`
  await sql`insert into host_netblock (host_id, netblock) values (${corp}, '10.0.0.0/8'), (${corp}, 'localhost'), (${corp}, 'not a netblock!')`
  await sql`insert into host_peer_asn (host_id, asn) values (${us}, 64500)`
  // the crawler's per-family reachability: se.example's rsync answers over IPv4 only
  await sql`
    insert into host_reachability (host_id, family, protocol, reachable)
    values (${se}, 4, 'https', true), (${se}, 6, 'https', true), (${se}, 4, 'rsync', true), (${se}, 6, 'rsync', false)`
  await sql`
    insert into repository (name, prefix, category_id, arch_id, directory_id, disabled)
    select r.name, r.prefix, c.id, a.id, d.id, r.disabled
    from (values ('updates', 'updates-released-f41', ${UPDATES}, false), ('fedora', 'fedora-41', ${RELEASES}, false),
                 ('old', 'fedora-40', ${RELEASES}, true)) as r(name, prefix, directory, disabled)
    join directory d on d.name = r.directory, category c, arch a where a.name = 'x86_64'`
  await sql`
    insert into file_detail (directory_id, filename, timestamp, size, sha256, sha512)
    select id, 'repomd.xml', t.ts, t.size, t.sha256, t.sha512 from directory,
      (values (1700000000::bigint, 4000::bigint, 'new256', 'new512'), (1690000000::bigint, 3900::bigint, 'old256', null)) as t(ts, size, sha256, sha512)
    where name = ${`${UPDATES}/repodata`}`
  await sql`insert into repository_redirect (from_repo, to_repo) values ('updates-f41', 'updates-released-f41')`
  await sql`insert into netblock_country (netblock, country) values ('203.0.113.0/24', 'DE')`
  await sql`insert into country_continent_redirect (country, continent) values ('JP', 'EU')`
}

const resolveName = async (name: string) => {
  if (name === 'localhost') return ['127.0.0.1', '::1']
  throw new Error('no such name')
}

function outputDir(): string {
  return mkdtempSync(join(tmpdir(), 'mm-snapshot-'))
}

for (const kind of databaseKinds()) {
  t.test(`${kind}: generate-snapshot writes what the server needs, and answers come out right`, async (t) => {
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    await seed(db.sql)
    const file = join(outputDir(), 'mirrorlist.avro')
    const warnings: string[] = []
    const summary = await generateSnapshot(db, { output: file, resolveName, logger: { ...silentLogger, warn: (w) => warnings.push(w) }, batchSize: 2 })
    t.match(summary, { file, hosts: 4, directories: 4, repositories: 3 })
    t.ok(summary.bytes > 0 && summary.bytes === statSync(file).size, 'bytes is the file size')
    t.equal(summary.previous, undefined, 'no previous snapshot')
    t.match(warnings, [/corp\.example.*"not a netblock!".*skipped/])
    t.same(readSnapshotStats(file), { hosts: 4, directories: 4, repositories: 3 }, 'counts in the container header')
    t.same(readdirSync(join(file, '..')), ['mirrorlist.avro'], 'no temporary file left')

    const index = await loadSnapshot(file)
    t.same(index.stats, { hosts: 4, directories: 4, repositories: 3 })
    t.ok(Math.abs(index.createdAt - Date.now() / 1000) < 600, 'creation time is the database clock')
    const ask = (query: string, clientIp: string, geo: Record<string, string> = {}, path = '/mirrorlist') =>
      answerRequest(index, { path, query, clientIp }, lookupContext({ geo, minimum: 1 }))

    const sweden = ask('repo=updates-released-f41&arch=x86_64', '192.0.2.1', { '192.0.2.1': 'SE' })
    t.equal(sweden.body, '# repo = updates-released-f41 arch = x86_64 country = SE country = DE \nhttps://se.example/fedora/updates/41/Everything/x86_64/\n',
      'SE host (trailing slash of its URL normalised; private URL unused), DE host refuses SE clients, US host not up to date, inactive site absent')
    const germany = ask('repo=updates-f41&arch=x86_64', '203.0.113.7')
    t.equal(germany.body, '# repo = updates-released-f41 arch = x86_64 country = DE country = SE \nhttp://de.example/fedora/updates/41/Everything/x86_64/\nhttps://se.example/fedora/updates/41/Everything/x86_64/\n',
      'repository redirect; netblock-country override; always-up-to-date host without host_category_dir rows')
    const corp = ask('repo=updates-released-f41&arch=x86_64', '10.9.9.9', { '10.9.9.9': 'SE' })
    t.match(corp.body, /^# repo = updates-released-f41 arch = x86_64 Using preferred netblock country = SE country = DE \nhttps:\/\/corp\.example\/fedora\/updates/, 'private host via netblock')
    t.match(ask('repo=updates-released-f41&arch=x86_64', '::1').body, /Using preferred netblock .*\nhttps:\/\/corp\.example/, 'DNS-name netblock resolved at snapshot time')
    const releases = ask('path=pub/fedora/linux/releases/41/Everything/x86_64/os/', '192.0.2.1', { '192.0.2.1': 'US' })
    t.equal(releases.body, '# path = pub/fedora/linux/releases/41/Everything/x86_64/os country = US \nhttps://us.example/fedora/releases/41/Everything/x86_64/os/\n')
    t.equal(ask('repo=fedora-40&arch=x86_64', '192.0.2.1').body, 'repo disabled')
    t.equal(ask('repo=x&arch=x86_64', '192.0.2.1').body.split('\n').slice(2).join('\n'),
      '# repo=fedora-40&arch=x86_64\n# repo=fedora-41&arch=x86_64\n# repo=updates-released-f41&arch=x86_64\n')
    t.equal(ask('path=pub/unrelated', '192.0.2.1').status, 404, 'directories outside every category are not in the snapshot')

    t.equal(index.hosts.find((host) => host.name === 'se.example')?.families, 'IPv4 and IPv6', 'reachability read from host_reachability')
    const v6metalink = ask('repo=updates-released-f41&arch=x86_64', '2001:db8::5', { '2001:db8::5': 'SE' }, '/metalink')
    t.match(v6metalink.body, /https:\/\/se\.example\/fedora\/updates/, 'IPv6 client: the dual-stack https URL')
    t.notMatch(v6metalink.body, /rsync:\/\/se\.example/, 'IPv6 client: not the IPv4-only rsync URL')
    t.match(ask('repo=updates-released-f41&arch=x86_64', '192.0.2.1', { '192.0.2.1': 'SE' }, '/metalink').body, /rsync:\/\/se\.example/, 'IPv4 client: both')
    const metalink = ask('repo=updates-released-f41&arch=x86_64', '192.0.2.1', { '192.0.2.1': 'SE' }, '/metalink')
    t.match(metalink.body, '  <file name="repomd.xml">\n   <mm0:timestamp>1700000000</mm0:timestamp>\n   <size>4000</size>\n   <verification>\n' +
      '    <hash type="sha256">new256</hash>\n    <hash type="sha512">new512</hash>\n   </verification>\n   <mm0:alternates>\n    <mm0:alternate>\n' +
      '      <mm0:timestamp>1690000000</mm0:timestamp>\n      <size>3900</size>\n      <verification>\n       <hash type="sha256">old256</hash>\n' +
      '      </verification>\n    </mm0:alternate>\n   </mm0:alternates>\n', 'file details newest first, the older one an alternate')
    t.match(metalink.body, '<url protocol="https" type="https" location="SE" preference="100">https://se.example/fedora/updates/41/Everything/x86_64/repodata/repomd.xml</url>\n' +
      '    <url protocol="rsync" type="rsync" location="SE" preference="100">rsync://se.example/fedora/updates/41/Everything/x86_64/repodata/repomd.xml</url>\n')
    t.match(ask('repo=updates-released-f41&arch=x86_64', '192.0.2.1', { '192.0.2.1': 'JP' }, '/metalink').body,
      /location="SE"/, 'country-continent redirect from the database moves JP to EU')
  })

  t.test(`${kind}: .old keeps the previous snapshot; a much smaller one needs --force`, async (t) => {
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    await seed(db.sql)
    const dir = outputDir()
    const file = join(dir, 'mirrorlist.avro')
    await generateSnapshot(db, { output: file, resolveName })
    const first = readFileSync(file)
    await db.sql`delete from host where name = 'us.example'`
    const second = await generateSnapshot(db, { output: file, resolveName })
    t.equal(second.previous, `${file}.old`)
    t.same(readFileSync(`${file}.old`), first, 'the previous snapshot, byte for byte')
    t.equal((await loadSnapshot(`${file}.old`)).stats.hosts, 4, 'rollback: the old file loads')
    t.equal((await loadSnapshot(file)).stats.hosts, 3)

    const installed = readFileSync(file)
    await db.sql`delete from repository`
    const refused = await generateSnapshot(db, { output: file, resolveName }).then(
      () => undefined,
      (error: unknown) => error,
    )
    t.type(refused, SnapshotError)
    t.match((refused as Error).message, /not installed: repositories dropped from 3 to 0 .*--force/)
    t.same(readFileSync(file), installed, 'the installed snapshot is untouched')
    t.same(readdirSync(dir).sort(), ['mirrorlist.avro', 'mirrorlist.avro.old'], 'the refused file is removed')
    const forced = await generateSnapshot(db, { output: file, resolveName, force: true })
    t.equal(forced.repositories, 0, '--force installs it')
  })
}

t.test('a corrupt, truncated, foreign or missing snapshot is a SnapshotError', async (t) => {
  const dir = outputDir()
  const good = join(dir, 'good.avro')
  const entries = new MirrorNetwork()
    .category(1, 'c', 'top')
    .host({ id: 1, urls: { 1: ['http://h/top'] }, asn: 4200000000, peerAsns: [4294967295] })
    .directory({ name: 'top', category: 1, hosts: [1] })
  for (let i = 0; i < 3000; i++) entries.directory({ name: `top/d${i}`, category: 1, hosts: [1], files: { f: [{ sha256: `${i}`.repeat(40) }] } })
  await writeSnapshotEntries(good, entries.entries(), { hosts: 1, directories: 3001, repositories: 0 })
  const loaded = await loadSnapshot(good)
  t.equal(loaded.stats.directories, 3001)
  t.same([...loaded.hostsByAsn.keys()].sort(), [4200000000, 4294967295], '32-bit AS numbers survive the file')
  const bytes = readFileSync(good)

  const truncated = join(dir, 'truncated.avro')
  writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)))
  await t.rejects(loadSnapshot(truncated), SnapshotError, 'cut in the middle')
  const corrupt = join(dir, 'corrupt.avro')
  const flipped = Buffer.from(bytes)
  for (let i = Math.floor(bytes.length / 2); i < Math.floor(bytes.length / 2) + 64; i++) flipped[i] = flipped[i]! ^ 0xff
  writeFileSync(corrupt, flipped)
  await t.rejects(loadSnapshot(corrupt), SnapshotError, 'bytes flipped')
  const garbage = join(dir, 'garbage.avro')
  writeFileSync(garbage, 'this is not avro')
  await t.rejects(loadSnapshot(garbage), { name: 'SnapshotError', message: /not a snapshot/ })
  await t.rejects(loadSnapshot(join(dir, 'missing.avro')), { name: 'SnapshotError', message: /cannot read/ })
  const future = join(dir, 'future.avro')
  const newer = entries.entries().map((e) => ('Header' in e ? { Header: { ...e.Header, formatVersion: SNAPSHOT_FORMAT_VERSION + 1 } } : e))
  await writeSnapshotEntries(future, newer, { hosts: 1, directories: 1, repositories: 0 })
  await t.rejects(loadSnapshot(future), { name: 'SnapshotError', message: new RegExp(`format version ${SNAPSHOT_FORMAT_VERSION + 1}`) })
})

/** A snapshot file written by avsc directly, with `type`'s schema and these metadata (no content checksum). */
async function writeRawSnapshot(file: string, type: avro.Type, entries: readonly unknown[], metadata: Record<string, string>): Promise<string> {
  const meta = Object.fromEntries(Object.entries(metadata).map(([key, value]) => [key, Buffer.from(value)]))
  const encoder = new avro.streams.BlockEncoder(type, { codec: 'deflate', metadata: meta } as unknown as ConstructorParameters<typeof avro.streams.BlockEncoder>[1])
  await pipeline(Readable.from(entries, { objectMode: true }), encoder, createWriteStream(file))
  return file
}

/** Format version 1's schema (Host without the reachability field), and entries for it. */
function withoutReachability(entries: readonly SnapshotEntry[], formatVersion?: number): { type: avro.Type; entries: unknown[] } {
  const schema = JSON.parse(JSON.stringify(snapshotSchema)) as { name: string; fields: { name: string }[] }[]
  const host = schema.find((record) => record.name === 'Host')!
  host.fields = host.fields.filter((field) => field.name !== 'reachability')
  return {
    type: avro.Type.forSchema(schema as avro.Schema, { wrapUnions: 'auto' }),
    entries: entries.map((entry) => {
      if ('Header' in entry && formatVersion !== undefined) return { Header: { ...entry.Header, formatVersion } }
      if (!('Host' in entry)) return entry
      const { reachability: _unused, ...host } = entry.Host
      return { Host: host }
    }),
  }
}

t.test('a snapshot of format version 1 (no address families) still loads: every host family unknown', async (t) => {
  const network = new MirrorNetwork()
    .category(1, 'Fedora Linux', 'pub/fedora/linux')
    .host({ id: 1, name: 'se1', country: 'SE', urls: { 1: ['https://se1.example/f'] } })
    .directory({ name: UPDATES, category: 1, hosts: [1] })
  const v1 = withoutReachability(network.entries(), 1)
  const file = await writeRawSnapshot(join(outputDir(), 'v1.avro'), v1.type, v1.entries, { [FORMAT_METADATA_KEY]: '1' })
  const index = await loadSnapshot(file)
  t.equal(index.hosts[0]!.families, 'unknown')
  t.equal(index.directories.get(UPDATES)!.category.familyWrong, undefined, 'no family data: the filter costs nothing')
})

t.test('a snapshot that claims the current format version but carries another schema is refused; its own schema is accepted', async (t) => {
  // the schema check compares canonical schemas (not avsc's Type.equals: read.ts says why)
  const network = new MirrorNetwork().category(1, 'c', 'top').host({ id: 1, urls: { 1: ['http://h/top'] } }).directory({ name: 'top', category: 1, hosts: [1] })
  const current = { [FORMAT_METADATA_KEY]: String(SNAPSHOT_FORMAT_VERSION) }
  const same = await writeRawSnapshot(join(outputDir(), 'same.avro'), snapshotEntryType, network.entries(), current)
  t.equal((await loadSnapshot(same)).stats.hosts, 1, 'the same schema, written by avsc directly: loads (no checksum: a warning only)')
  const other = withoutReachability(network.entries())
  const foreign = await writeRawSnapshot(join(outputDir(), 'other.avro'), other.type, other.entries, current)
  await t.rejects(loadSnapshot(foreign), { name: 'SnapshotError', message: new RegExp(`written with another schema for format version ${SNAPSHOT_FORMAT_VERSION}`) })
})

t.test('a damaged snapshot can be accepted: every bit flipped in the data blocks is rejected by the content checksum', async (t) => {
  const dir = outputDir()
  const good = join(dir, 'good.avro')
  const network = new MirrorNetwork().category(1, 'c', 'top').host({ id: 1, urls: { 1: ['http://h/top'] } }).host({ id: 2, urls: { 1: ['https://h2/top'] } })
  network.directory({ name: 'top', category: 1, hosts: [1, 2] })
  for (let i = 0; i < 6000; i++) {
    network.directory({ name: `top/d${i}`, category: 1, hosts: i % 3 === 0 ? [1] : [1, 2], files: { 'repomd.xml': [{ sha512: createHash('sha512').update(String(i)).digest('hex') }] } })
  }
  await writeSnapshotEntries(good, network.entries(), { hosts: 2, directories: 6001, repositories: 0 })
  const bytes = readFileSync(good)
  const header = readContainerHeader(bytes, good)
  t.match(header.meta[CONTENT_SHA256_METADATA_KEY]?.toString(), /^[0-9a-f]{64}$/, 'the checksum is in the container metadata')
  t.equal(header.meta[CONTENT_SHA256_METADATA_KEY]?.toString(), contentSha256(bytes, header))
  const blocks = [...containerBlocks(bytes, header, good)].length
  t.ok(blocks >= 2, `several data blocks (${blocks})`)
  let entries = 0
  for await (const _ of avro.createFileDecoder(good)) entries++
  t.ok(entries > 6000, 'still an ordinary Avro container: avsc\'s own decoder reads it')

  const flippedFile = join(dir, 'flipped.avro')
  const bodyLength = bytes.length - header.bodyOffset
  const flips = 240
  const accepted: number[] = []
  for (let i = 0; i < flips; i++) {
    const offset = header.bodyOffset + Math.floor((i * bodyLength) / flips) + (i % 7)
    if (offset >= bytes.length) continue
    const damaged = Buffer.from(bytes)
    damaged[offset] = damaged[offset]! ^ (1 << i % 8)
    writeFileSync(flippedFile, damaged)
    try {
      await loadSnapshot(flippedFile)
      accepted.push(offset)
    } catch (error) {
      if (!(error instanceof SnapshotError)) throw error
    }
  }
  t.same(accepted, [], `all ${flips} single-bit flips across the data blocks are rejected`)
  const damaged = Buffer.from(bytes)
  damaged[bytes.length - 100] = damaged[bytes.length - 100]! ^ 1
  writeFileSync(flippedFile, damaged)
  await t.rejects(loadSnapshot(flippedFile), { name: 'SnapshotError', message: /is corrupt: its content does not match its checksum/ })

  // a snapshot written before checksums: accepted with a warning (servers may be upgraded first)
  const older = await writeRawSnapshot(join(dir, 'older.avro'), snapshotEntryType, network.entries(), {
    [FORMAT_METADATA_KEY]: String(SNAPSHOT_FORMAT_VERSION),
    [STATS_METADATA_KEY]: '{}',
  })
  const warnings: string[] = []
  t.equal((await loadSnapshot(older, { warn: (message) => warnings.push(message) })).stats.directories, 6001)
  t.match(warnings, [/has no content checksum \(written by an older generate-snapshot\)/])
})

t.test(`${databaseKinds()[0]}: the CLI: generate-snapshot -o FILE --json, refusal exit status, --force`, async (t) => {
  const db = await openTestDatabase(databaseKinds()[0]!)
  t.teardown(() => db.destroy())
  await seed(db.sql)
  await db.sql`delete from host_netblock where netblock <> '10.0.0.0/8'`
  await db.disconnect()
  const file = join(outputDir(), 'mirrorlist.avro')
  const generated = await runCliJson<GenerateSummary>(['generate-snapshot', '-o', file], { env: db.env })
  t.equal(generated.status, 0, generated.stderr)
  t.match(generated.json, { file, hosts: 4, directories: 4, repositories: 3, bytes: statSync(file).size })
  t.type(generated.json.durationMs, 'number')
  const sql = await db.reconnect()
  await sql`delete from repository`
  await db.disconnect()
  const refused = await runCli(['generate-snapshot', '-o', file], { env: db.env })
  t.equal(refused.status, 4, 'exit status 4: the new snapshot failed validation')
  t.match(refused.stderr, /repositories dropped from 3 to 0.*--force[\s\S]*Code: MM_SNAPSHOT_INVALID/)
  const forced = await runCli(['generate-snapshot', '--force'], { env: { ...db.env, MM_SNAPSHOT_FILE: file } })
  t.equal(forced.status, 0, forced.stderr)
  t.match(forced.stdout, /repositories\s+0/, 'human output; --force installs it')
  t.match(forced.stdout, file, 'MM_SNAPSHOT_FILE names the default output')
  t.ok(existsSync(`${file}.old`), 'previous kept as .old')
})
