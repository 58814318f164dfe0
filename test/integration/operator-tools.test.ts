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
