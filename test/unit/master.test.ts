import t from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileDetailsToAge } from '../../src/lib/master/aging.js'
import { checksumFileAlgorithm, parseChecksumFile } from '../../src/lib/master/checksums.js'
import { hashContent, repomdTimestamp } from '../../src/lib/master/repomd.js'
import { shortFileList } from '../../src/lib/master/short-file-list.js'
import { resolveConfig } from '../../src/lib/config/resolve.js'
import { loadUmdlConfig } from '../../src/lib/umdl/config.js'
import { detectArch, detectVersion } from '../../src/lib/umdl/path-detect.js'
import { compilePrefixRules, repositoryPrefix } from '../../src/lib/umdl/prefix-rules.js'
import { selectCategories, updateMasterDirectoryList } from '../../src/lib/umdl/run.js'
import type { Database } from '../../src/lib/db/connect.js'
import { planCategory } from '../../src/lib/umdl/plan.js'
import { isExcluded } from '../../src/lib/umdl/excludes.js'

t.test('prefix rules: every row of the spec table', async (t) => {
  const rules = compilePrefixRules([])
  const table: [string, string, string | null][] = [
    ['Fedora Linux', 'releases/41/Everything/x86_64/os', 'fedora-41'],
    ['Fedora Linux', 'releases/41/Everything/x86_64/debug/tree', 'fedora-debug-41'],
    ['Fedora Linux', 'releases/41/Everything/source/tree', 'fedora-source-41'],
    ['Fedora Linux', 'releases/20/Fedora/x86_64/os', 'fedora-install-20'],
    ['Fedora Linux', 'updates/41/Everything/x86_64', 'updates-released-f41'],
    ['Fedora Linux', 'updates/testing/41/Everything/x86_64', 'updates-testing-f41'],
    ['Fedora Linux', 'updates/testing/41/Everything/x86_64/debug', 'updates-testing-debug-f41'],
    ['Fedora Linux', 'development/rawhide/Everything/x86_64/os', 'rawhide'],
    ['Fedora Linux', 'development/42/Everything/x86_64/os', 'fedora-42'],
    ['Fedora EPEL', '9/Everything/x86_64', 'epel-9'],
    ['Fedora EPEL', 'testing/9/Everything/x86_64', 'testing-epel9'],
    ['Fedora EPEL', '9/Everything/x86_64/debug', 'epel-debug-9'],
    ['Fedora Linux', 'releases/test/42_Beta/Everything/x86_64/os', null],
    ['Fedora EPEL', 'test/9/Everything/x86_64', null],
    ['Some Other', 'test/anything/x86_64', null],
    // and a few neighbours
    ['Fedora Linux', 'releases/41/Everything/aarch64/os', 'fedora-41'],
    ['Fedora Linux', 'updates/41/Everything/x86_64/debug', 'updates-released-debug-f41'],
    ['Fedora Linux', 'updates/41/Everything/SRPMS', 'updates-released-f41'],
    ['Fedora Linux', 'development/rawhide/Everything/source/tree', 'rawhide-source'],
    ['Fedora EPEL', '10.0/Everything/x86_64', 'epel-10.0'],
    ['Fedora EPEL', '9/Everything/x86_64', 'epel-9'],
    ['Fedora Linux', 'latest/Everything/x86_64/os', null],
    ['Fedora Archive', 'releases/41/Everything/x86_64/os', null],
  ]
  for (const [category, path, prefix] of table) t.equal(repositoryPrefix(rules, category, path), prefix, `${category}: ${path}`)
})

t.test('prefix rules: config rules come first and "" means no prefix', async (t) => {
  const rules = compilePrefixRules([
    { category: 'Fedora Linux', pattern: '^releases/(\\d+)/Everything/([^/]+)/os$', prefix: 'f$1-$2' },
    { category: 'Fedora Archive', pattern: '^releases/(\\d+)/Everything/[^/]+/os$', prefix: 'archive-$1' },
    { category: '*', pattern: '/secret/', prefix: '' },
  ])
  t.equal(repositoryPrefix(rules, 'Fedora Linux', 'releases/41/Everything/x86_64/os'), 'f41-x86_64')
  t.equal(repositoryPrefix(rules, 'Fedora Archive', 'releases/30/Everything/x86_64/os'), 'archive-30')
  t.equal(repositoryPrefix(rules, 'Fedora EPEL', 'x/secret/9/Everything/x86_64'), null)
  t.equal(repositoryPrefix(rules, 'Fedora Linux', 'updates/41/Everything/x86_64'), 'updates-released-f41', 'defaults still apply')
})

t.test('arch and version detection', async (t) => {
  const arches = new Set(['x86_64', 'aarch64', 'ppc64le', 's390x', 'source', 'i386'])
  t.equal(detectArch('releases/41/Everything/x86_64/os', arches), 'x86_64')
  t.equal(detectArch('releases/41/Everything/source/tree', arches), 'source')
  t.equal(detectArch('updates/41/Everything/SRPMS', arches), 'source')
  t.equal(detectArch('releases/41/Everything/s390x/debug/tree', arches), 's390x')
  t.equal(detectArch('releases/41/Everything/riscv64/os', arches), null)
  const versions = new Set(['41', 'development'])
  t.same(detectVersion('releases/41/Everything/x86_64/os', versions), { name: '41', isNew: false, isTest: false })
  t.same(detectVersion('releases/42/Everything/x86_64/os', versions), { name: '42', isNew: true, isTest: false }, 'a new release')
  t.same(detectVersion('development/42/Everything/x86_64/os', versions), { name: '42', isNew: true, isTest: false }, 'development/42 is 42, not development')
  t.same(detectVersion('development/rawhide/Everything/x86_64/os', new Set()), { name: 'development', isNew: true, isTest: false })
  t.same(detectVersion('releases/test/42_Beta/Everything/x86_64/os', versions), { name: '42_Beta', isNew: true, isTest: true })
  t.same(detectVersion('9.4/stage/BaseOS/x86_64/os', new Set()), { name: '9.4', isNew: true, isTest: true })
  t.same(detectVersion('10-beta/Everything/x86_64', new Set()), { name: '10-beta', isNew: true, isTest: false })
  t.equal(detectVersion('extras/Everything/x86_64', new Set()), null)
})

t.test('checksum files: every format, wrong lengths ignored', async (t) => {
  t.equal(checksumFileAlgorithm('Fedora-Workstation-41-1.4-x86_64-CHECKSUM'), 'sha256')
  t.equal(checksumFileAlgorithm('sha256sum.txt'), 'sha256')
  t.equal(checksumFileAlgorithm('SHA1SUM'), 'sha1')
  t.equal(checksumFileAlgorithm('image.sha1sum'), 'sha1')
  t.equal(checksumFileAlgorithm('MD5SUM'), 'md5')
  t.equal(checksumFileAlgorithm('image.md5sum'), 'md5')
  t.equal(checksumFileAlgorithm('SHA512SUM'), 'sha512')
  t.equal(checksumFileAlgorithm('image.sha512sum'), 'sha512')
  t.equal(checksumFileAlgorithm('README'), null)
  const sha256 = 'a'.repeat(64)
  const text = [
    '-----BEGIN PGP SIGNED MESSAGE-----',
    'Hash: SHA256',
    '# Fedora.iso: 123 bytes',
    `SHA256 (Fedora.iso) = ${sha256.toUpperCase()}`,
    `SHA256 (short.iso) = ${'b'.repeat(63)}`,
    `${'c'.repeat(64)} *binary.img`,
    `${'d'.repeat(64)}  text mode name.img`,
    `${'e'.repeat(40)}  wrong-length.img`,
    `MD5 (Fedora.iso) = ${'f'.repeat(32)}`,
    `${'0'.repeat(64)}  sub/dir.img`,
  ].join('\n')
  const parsed = parseChecksumFile(text, 'sha256')
  t.same(Object.fromEntries(parsed), {
    'Fedora.iso': { sha256, md5: 'f'.repeat(32) },
    'binary.img': { sha256: 'c'.repeat(64) },
    'text mode name.img': { sha256: 'd'.repeat(64) },
  })
  t.same(Object.fromEntries(parseChecksumFile(`${'1'.repeat(40)}  a.iso\n${'2'.repeat(64)}  b.iso\n`, 'sha1')), { 'a.iso': { sha1: '1'.repeat(40) } })
  t.same(Object.fromEntries(parseChecksumFile(`${'3'.repeat(128)} *a.iso\n`, 'sha512')), { 'a.iso': { sha512: '3'.repeat(128) } })
})

t.test('repomd.xml: newest <timestamp> inside <data>, else null; four hashes', async (t) => {
  const xml = `<repomd xmlns="http://linux.duke.edu/metadata/repo"><revision>1999999999</revision>
  <data type="primary"><timestamp>1731400000</timestamp></data>
  <data type="filelists"><timestamp>1731400500</timestamp><size>12</size></data>
  <data type="other"><timestamp>1731400200.5</timestamp></data>
  <tags><timestamp>2000000000</timestamp></tags></repomd>`
  t.equal(repomdTimestamp(xml), 1731400500, 'revision and timestamps outside <data> do not count')
  t.equal(repomdTimestamp('<repomd><revision>1</revision></repomd>'), null)
  t.same(hashContent(Buffer.from('abc')), {
    size: 3,
    md5: '900150983cd24fb0d6963f7d28e17f72',
    sha1: 'a9993e364706816aba3e25717850c26c9cd0d89d',
    sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    sha512: 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
  })
})

t.test('short file lists', async (t) => {
  const files = (names: string[]) => names.map((name, i) => ({ name, size: i, timestamp: 1000 + i }))
  const ten = files(Array.from({ length: 10 }, (_, i) => `p${i}.rpm`))
  t.equal(shortFileList(ten).length, 10, '10 of a kind: all kept')
  const many = files([...Array.from({ length: 11 }, (_, i) => `p${String(i).padStart(2, '0')}.rpm`), 'repomd.xml', 'a.drpm', 'b.html'])
  t.same(shortFileList(many).map((file) => file.name), ['a.drpm', 'b.html', 'p08.rpm', 'p09.rpm', 'p10.rpm', 'repomd.xml'], 'the 3 newest rpms, every other file')
  t.equal(shortFileList(many, 20).length, 14, 'the threshold is configurable')
})

t.test('aging rules', async (t) => {
  const day = 86_400
  const now = 1_000 * day
  const rows = (timestamps: (number | null)[], filename = 'repomd.xml') => timestamps.map((timestamp, i) => ({ id: i + 1, directoryId: 7, filename, timestamp }))
  t.same(fileDetailsToAge(rows([now - 100 * day]), now, 4), [], 'the newest always stays, however old')
  t.same(fileDetailsToAge(rows([now - 2 * day, now - 3 * day]), now, 4), [], 'previous stays while the newest is younger than N-1 days')
  t.same(fileDetailsToAge(rows([now - 3 * day, now - 10 * day]), now, 4), [2], 'previous goes once the newest is N-1 days old')
  t.same(fileDetailsToAge(rows([now - day, now - 2 * day, now - 4 * day + 1, now - 4 * day - 1]), now, 4), [4], 'older rows go when more than N days old')
  t.same(fileDetailsToAge([...rows([now, now - 5 * day, now - 6 * day]), ...rows([now], 'other').map((row) => ({ ...row, id: 10 }))], now, 4).sort(), [3], 'per (directory, file)')
  t.same(fileDetailsToAge(rows([null, now]), now, 4), [], 'a null timestamp counts as oldest but is the previous here')
})

t.test('plan: gone directories never include the top or what is below an unlistable directory', async (t) => {
  const stored = new Map([
    ['', { id: 1, ctime: 5, readable: true }],
    ['a', { id: 2, ctime: 5, readable: true }],
    ['a/b', { id: 3, ctime: 5, readable: true }],
    ['c', { id: 4, ctime: 5, readable: true }],
    ['c/d', { id: 5, ctime: 5, readable: true }],
  ])
  const plan = planCategory(
    stored,
    [
      { path: '', ctime: 6, readable: true, listable: true, files: [] },
      { path: 'c', ctime: 0, readable: false, listable: false, files: [] },
      { path: 'new', ctime: 6, readable: true, listable: true, files: [] },
      { path: 'new', ctime: 7, readable: true, listable: true, files: [] },
    ],
    10,
  )
  t.same(plan.gone, [{ id: 2, path: 'a' }, { id: 3, path: 'a/b' }])
  t.same(plan.upserts.map((upsert) => [upsert.path, upsert.isNew, upsert.ctime]), [['', false, 6], ['c', false, 0], ['new', true, 6]], 'a path a second source has again is the first source\'s')
})

t.test('plan: stored directories with positions in the stored-state read (seen by position), and without', async (t) => {
  const stored = new Map([
    ['', { id: 1, ctime: 5, readable: true, index: 0 }],
    ['a', { id: 2, ctime: 5, readable: true, index: 1 }],
    ['a/b', { id: 3, ctime: 5, readable: true, index: 2 }],
    ['c', { id: 4, ctime: 5, readable: true }],
    ['d', { id: 5, ctime: 5, readable: true, index: 3 }],
  ])
  const plan = planCategory(
    stored,
    [
      { path: '', ctime: 5, readable: true, listable: true },
      { path: 'a', ctime: 5, readable: false, listable: true },
      { path: 'c', ctime: 6, readable: true, listable: true, files: [] },
      { path: 'new', ctime: 6, readable: true, listable: true, files: [] },
      // a second source with the same paths: the first source's, whether stored (by position or not) or new
      { path: 'a', ctime: 5, readable: true, listable: true },
      { path: 'c', ctime: 7, readable: true, listable: true, files: [] },
      { path: 'new', ctime: 7, readable: true, listable: true, files: [] },
    ],
    10,
  )
  t.same(plan.upserts.map((upsert) => [upsert.path, upsert.isNew, upsert.ctime]), [['c', false, 6], ['new', true, 6]])
  t.same(plan.readableChanges, [{ id: 2, readable: false }], 'the first source\'s readable flag')
  t.same(plan.gone, [{ id: 3, path: 'a/b' }, { id: 5, path: 'd' }])
})

t.test('excludes: always .snapshot and .~tmp~, as path components', async (t) => {
  t.ok(isExcluded('.snapshot', []))
  t.ok(isExcluded('releases/.snapshot/hourly', []))
  t.ok(isExcluded('releases/41/.~tmp~', []))
  t.notOk(isExcluded('releases/my.snapshots', []))
  t.ok(isExcluded('releases/test/x', [/^releases\/test\//]))
})

function configFile(toml: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'mm-umdl-cfg-')), 'mirrormanager.toml')
  writeFileSync(path, toml)
  return path
}

t.test('umdl config: sources, repeated categories, scalar keys, errors naming the key', async (t) => {
  const config = loadUmdlConfig(
    resolveConfig({
      env: {},
      configFile: configFile(`
[umdl]
file_detail_days = 7
[[umdl.category]]
name = "Fedora Linux"
type = "directory"
path = "/srv/pub/fedora/linux"
excludes = ["^releases/test/"]
[[umdl.category]]
name = "Fedora Linux"
type = "rsync"
url = "rsync://127.0.0.1/fedora-linux"
[[umdl.category]]
name = "Fedora EPEL"
type = "fullfiletimelist"
path = "/srv/pub/fullfiletimelist-epel"
subdir = "/epel/"
[[umdl.prefix_rule]]
category = "Fedora Linux"
pattern = "^x$"
prefix = ""
`),
    }),
  )
  t.equal(config.fileDetailDays, 7)
  t.equal(config.shortListThreshold, 10)
  t.equal(config.categories.length, 2)
  t.equal(config.categories[0].sources.length, 2, 'a category named twice has two sources')
  t.equal(config.categories[0].sources[1].url, 'rsync://127.0.0.1/fedora-linux/', 'rsync URLs list the directory contents')
  t.equal(config.categories[1].sources[0].subdir, 'epel')
  t.same(config.prefixRules, [{ category: 'Fedora Linux', pattern: '^x$', prefix: '' }])

  const bad = (toml: string) => () => loadUmdlConfig(resolveConfig({ env: {}, configFile: configFile(toml) }))
  t.throws(bad('[[umdl.category]]\nname = "A"\ntype = "ftp"\npath = "/x"\n'), { code: 'MM_CONFIG_INVALID', key: 'umdl.category[0].type' })
  t.throws(bad('[[umdl.category]]\nname = "A"\ntype = "directory"\npath = "relative"\n'), { key: 'umdl.category[0].path', message: /absolute/ })
  t.throws(bad('[[umdl.category]]\nname = "A"\ntype = "directory"\npath = "/x"\nexcludes = ["("]\n'), { code: 'MM_CONFIG_INVALID', key: 'umdl.category[0].excludes[0]' })
  t.throws(bad('[[umdl.category]]\nname = "A"\ntype = "directory"\npath = "/x"\nexclude = ["x"]\n'), { key: 'umdl.category[0].exclude', message: /unknown key/ })
  t.throws(bad('[[umdl.category]]\nname = "A"\ntype = "rsync"\nurl = "http://x/y"\n'), { code: 'MM_CONFIG_INVALID', key: 'umdl.category[0].url' })
  t.throws(bad('[[umdl.category]]\ntype = "directory"\npath = "/x"\n'), { key: 'umdl.category[0].name', message: /is required/ })
  t.throws(bad('[[umdl.prefix_rule]]\ncategory = "A"\npattern = "x"\n'), { code: 'MM_CONFIG_INVALID', key: 'umdl.prefix_rule[0].prefix' })
  t.throws(bad('[umdl]\nfile_detail_dayz = 3\n'), { key: 'umdl.file_detail_dayz', message: /unknown config key/ })
  t.throws(bad('[umdl]\nfile_detail_days = 0\n'), { code: 'MM_CONFIG_INVALID', key: 'umdl.file_detail_days' })
})

t.test('--category selection: names, ^exclusions, unknown names', async (t) => {
  const configured = ['Fedora Linux', 'Fedora EPEL', 'Fedora Archive'].map((name) => ({ name, sources: [] }))
  t.same(selectCategories(configured).map((c) => c.name), ['Fedora Linux', 'Fedora EPEL', 'Fedora Archive'])
  t.same(selectCategories(configured, ['Fedora EPEL']).map((c) => c.name), ['Fedora EPEL'])
  t.same(selectCategories(configured, ['^Fedora Archive']).map((c) => c.name), ['Fedora Linux', 'Fedora EPEL'])
  t.throws(() => selectCategories(configured, ['Fedora Nope']), { code: 'MM_NOT_FOUND', message: /Fedora Nope.*configured: Fedora Linux, Fedora EPEL, Fedora Archive/ })
})

t.test('umdl without any configured source is a config error naming umdl.category', async (t) => {
  const config = resolveConfig({ env: {}, configFile: configFile('[umdl]\nfile_detail_days = 4\n') })
  await t.rejects(updateMasterDirectoryList({} as Database, { config }), { code: 'MM_CONFIG_INVALID', key: 'umdl.category', message: /add \[\[umdl.category\]\] entries to/ })
})
