/**
 * MirrorManager2's operator tools on a real database: the rsync ACL export and the
 * single file detail update (and the cloud ranges into host netblocks).
 */
import t from 'tap'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { renderRsyncAcl, rsyncAcl, writeFileAtomically } from '../../src/lib/acl/rsync-acl.js'
import { updateFileDetail } from '../../src/lib/file-detail/update-file-detail.js'
import { cloudPrefixes, loadCloudRanges, syncCloudNetblocks } from '../../src/lib/netblocks/cloud-ranges.js'
import { databaseKinds, openTestDatabase } from '../helpers/database.js'
import { buildNetwork, OS_REL, REPODATA_DIR } from '../helpers/mirror-database.js'

const REPOMD_XML = `<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo"><revision>1</revision>
<data type="primary"><timestamp>1735000000</timestamp></data>
<data type="filelists"><timestamp>1735000100</timestamp></data></repomd>
`

for (const kind of databaseKinds()) {
  t.test(`${kind}: operator tools`, async (t) => {
    const db = await openTestDatabase(kind)
    const dir = mkdtempSync(join(tmpdir(), 'mm-operator-'))
    t.teardown(async () => {
      await db.destroy()
      rmSync(dir, { recursive: true, force: true })
    })
    const network = await buildNetwork(db.sql, [{ timestamp: 1732000000, size: 3190, sha256: 'a'.repeat(64) }])

    t.test('acl rsync: active hosts of active sites, canonical, deduplicated, sorted; bad entries reported', async (t) => {
      const hostId = async (name: string) => (await db.sql<{ id: number }[]>`select id from host where name = ${name}`)[0]!.id
      const acl = async (host: string, ip: string) => db.sql`insert into host_acl_ip (host_id, ip) values (${await hostId(host)}, ${ip})`
      await acl('se1.example', '192.0.2.7')
      await acl('se1.example', '2001:DB8:0:0::1')
      await acl('se1.example', 'Rsync.Mirror.Example')
      await acl('de1.example', '192.0.2.7')
      await acl('de1.example', '10.1.2.3/8')
      await acl('de1.example', '198.51.100.1 ; 0.0.0.0/0')
      await acl('jp1.example', '2001:db8::/32')
      await acl('us1.example', '203.0.113.9')
      await acl('stale1.example', '198.51.100.77')
      await db.sql`update host set user_active = false where name = 'us1.example'`
      await db.sql`update site set admin_active = false where name = 'stale-site'`
      const result = await rsyncAcl(db.sql)
      t.same(result.entries, ['10.0.0.0/8', '192.0.2.7', '2001:db8::/32', '2001:db8::1', 'rsync.mirror.example'])
      t.same(result.rejected, [{ host: 'de-site/de1.example', entry: '198.51.100.1 ; 0.0.0.0/0' }])
      t.equal(renderRsyncAcl(result, 'rsyncd'), 'hosts allow = 10.0.0.0/8 192.0.2.7 2001:db8::/32 2001:db8::1 rsync.mirror.example\n')
      t.equal(renderRsyncAcl(result, 'plain'), '10.0.0.0/8\n192.0.2.7\n2001:db8::/32\n2001:db8::1\nrsync.mirror.example\n')
      t.equal(renderRsyncAcl({ entries: [], rejected: [] }, 'rsyncd'), 'hosts allow = 0.0.0.0/32\n', 'an empty list allows nobody')
      const file = join(dir, 'allow.conf')
      writeFileSync(file, 'old\n')
      await writeFileAtomically(file, renderRsyncAcl(result, 'plain'))
      t.equal(readFileSync(file, 'utf8'), renderRsyncAcl(result, 'plain'))
    })

    t.test('netblocks cloud: adds the region\'s prefixes, removes only its own stale ones, never a hand-added netblock', async (t) => {
      const aws = (prefixes: [string, string, string][]) => ({
        syncToken: '1',
        prefixes: prefixes.filter(([p]) => !p.includes(':')).map(([ip_prefix, region, service]) => ({ ip_prefix, region, service, network_border_group: region })),
        ipv6_prefixes: prefixes.filter(([p]) => p.includes(':')).map(([ipv6_prefix, region, service]) => ({ ipv6_prefix, region, service, network_border_group: region })),
      })
      const file = join(dir, 'ip-ranges.json')
      writeFileSync(file, JSON.stringify(aws([
        ['3.5.0.0/19', 'us-east-1', 'EC2'],
        ['3.5.0.0/19', 'us-east-1', 'AMAZON'],
        ['18.204.0.0/14', 'us-east-1', 'EC2'],
        ['2600:1f18::/33', 'us-east-1', 'EC2'],
        ['52.94.0.0/22', 'eu-west-1', 'EC2'],
        ['54.239.0.0/16', 'us-east-1', 'S3'],
        ['198.51.100.0/24', 'us-east-1', 'EC2'],
      ])))
      const hostId = (await db.sql<{ id: number }[]>`select id from host where name = 'us1.example'`)[0]!.id
      await db.sql`insert into host_netblock (host_id, netblock, name) values (${hostId}, '198.51.100.0/24', 'by hand'), (${hostId}, '192.0.2.0/24', 'campus')`
      const prefixes = cloudPrefixes('aws', await loadCloudRanges(file), 'us-east-1', 'EC2')
      t.same(prefixes, ['18.204.0.0/14', '198.51.100.0/24', '2600:1f18::/33', '3.5.0.0/19'])
      const options = { host: 'us-site/us1.example', provider: 'aws' as const, region: 'us-east-1', service: 'EC2' }
      const stored = async () => (await db.sql<{ netblock: string; source: string | null }[]>`select netblock, source from host_netblock where host_id = ${hostId} order by netblock`).map((row) => `${row.netblock} ${row.source ?? 'hand'}`)

      const dry = await syncCloudNetblocks(db.sql, { ...options, prefixes, dryRun: true })
      t.same(dry.added, ['18.204.0.0/14', '2600:1f18::/33', '3.5.0.0/19'])
      t.same(await stored(), ['192.0.2.0/24 hand', '198.51.100.0/24 hand'], 'dry run: nothing changed')

      const first = await syncCloudNetblocks(db.sql, { ...options, prefixes })
      t.same(first.added, ['18.204.0.0/14', '2600:1f18::/33', '3.5.0.0/19'])
      t.same(first.alreadyByHand, ['198.51.100.0/24'], 'listed but added by hand: left alone')
      t.same(await stored(), ['18.204.0.0/14 cloud:aws:us-east-1:EC2', '192.0.2.0/24 hand', '198.51.100.0/24 hand', '2600:1f18::/33 cloud:aws:us-east-1:EC2', '3.5.0.0/19 cloud:aws:us-east-1:EC2'])

      // Amazon drops 18.204.0.0/14 and the hand-added block; adds one.
      const next = ['2600:1f18::/33', '3.5.0.0/19', '44.192.0.0/11']
      const second = await syncCloudNetblocks(db.sql, { ...options, prefixes: next })
      t.same(second.added, ['44.192.0.0/11'])
      t.same(second.removed, ['18.204.0.0/14'], 'only its own stale netblock removed')
      t.equal(second.kept, 2)
      t.same(await stored(), ['192.0.2.0/24 hand', '198.51.100.0/24 hand', '2600:1f18::/33 cloud:aws:us-east-1:EC2', '3.5.0.0/19 cloud:aws:us-east-1:EC2', '44.192.0.0/11 cloud:aws:us-east-1:EC2'], 'hand-added netblocks untouched')

      const other = await syncCloudNetblocks(db.sql, { ...options, region: 'eu-west-1', prefixes: [] })
      t.same(other.removed, [], 'another region\'s mark never removes these')

      t.same(cloudPrefixes('azure', { values: [{ name: 'AzureCloud.westeurope', properties: { region: 'westeurope', systemService: '', addressPrefixes: ['13.69.0.0/17', '2603:1020:200::/46'] } }, { name: 'x', properties: { region: 'northeurope', addressPrefixes: ['1.2.3.0/24'] } }] }, 'westeurope', undefined), ['13.69.0.0/17', '2603:1020:200::/46'])
      t.same(cloudPrefixes('gcp', { prefixes: [{ ipv4Prefix: '34.1.208.0/20', service: 'Google Cloud', scope: 'europe-west1' }, { ipv6Prefix: '2600:1900:4010::/44', service: 'Google Cloud', scope: 'europe-west1' }, { ipv4Prefix: '8.8.8.0/24', scope: 'us-east1' }] }, 'europe-west1', 'Google Cloud'), ['2600:1900:4010::/44', '34.1.208.0/20'])
      t.throws(() => cloudPrefixes('aws', { prefixes: [{ ip_prefix: 'bogus', region: 'r', service: 'EC2' }] }, 'r', 'EC2'), { code: 'MM_INVALID_INPUT' })
    })

    t.test('file-detail update: a pushed repomd.xml stored now, once; outside every category refused', async (t) => {
      const repodata = join(dir, 'tree', OS_REL, 'repodata')
      mkdirSync(repodata, { recursive: true })
      const file = join(repodata, 'repomd.xml')
      writeFileSync(file, REPOMD_XML)
      const categories = [{ name: 'Fedora Linux', sources: [{ type: 'directory' as const, path: join(dir, 'tree'), excludes: [] }] }]
      const result = await updateFileDetail(db.sql, categories, { path: file })
      t.match(result, { category: 'Fedora Linux', directory: REPODATA_DIR, filename: 'repomd.xml', timestamp: 1735000100, created: true })
      t.equal(result.detail.size, Buffer.byteLength(REPOMD_XML))
      const rows = await db.sql<{ timestamp: number; size: number; sha256: string; md5: string; sha512: string }[]>`
        select timestamp, size, sha256, md5, sha512 from file_detail where directory_id = ${network.repodataDirectoryId} order by timestamp desc`
      t.equal(rows.length, 2, 'added beside the older detail')
      t.match(rows[0], { timestamp: 1735000100, size: Buffer.byteLength(REPOMD_XML), sha256: result.detail.sha256, md5: result.detail.md5, sha512: result.detail.sha512 })
      t.match(rows[0]!.sha256, /^[0-9a-f]{64}$/)
      const again = await updateFileDetail(db.sql, categories, { path: file })
      t.equal(again.created, false, 'unchanged: nothing added')
      t.equal((await db.sql`select 1 from file_detail where directory_id = ${network.repodataDirectoryId}`).length, 2)

      const other = join(repodata, 'other.txt')
      writeFileSync(other, 'x')
      utimesSync(other, 1_700_000_000, 1_700_000_000)
      const plainFile = await updateFileDetail(db.sql, categories, { path: other })
      t.equal(plainFile.timestamp, 1_700_000_000, 'not a repomd.xml: the modification time')
      await t.rejects(updateFileDetail(db.sql, categories, { path: '/etc/hostname' }), { code: 'MM_NOT_FOUND', message: /not under the directory of any umdl category/ })
      mkdirSync(join(dir, 'tree', 'unknown'))
      writeFileSync(join(dir, 'tree', 'unknown', 'repomd.xml'), REPOMD_XML)
      await t.rejects(updateFileDetail(db.sql, categories, { path: join(dir, 'tree', 'unknown', 'repomd.xml') }), { code: 'MM_NOT_FOUND', message: /run umdl/ })
      await t.rejects(updateFileDetail(db.sql, categories, { path: join(repodata, 'missing.xml') }), { code: 'MM_NOT_FOUND' })
    })
  })
}
