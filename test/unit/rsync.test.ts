import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { decodeRsyncName, parseListingLine } from '../../src/lib/rsync/listing.js'
import { FullfiletimelistParser, parseFullfiletimelist } from '../../src/lib/master/fullfiletimelist.js'

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'rsync')
const fixture = (name: string) =>
  readFileSync(join(FIXTURES, name), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => parseListingLine(line))
    .map((entry) => entry && (({ permissions, ...rest }) => rest)(entry))

// Captured with TZ=UTC from rsync 3.5.0 listing a tree with a 12 GB sparse file, a name with
// spaces, a name with a TAB, and two symlinks (see test/fixtures/rsync/).
const expected = [
  { type: 'd', size: 4096, mtime: Date.UTC(2024, 0, 2, 3, 4, 5) / 1000, path: '.' },
  { type: 'f', size: 12345678901, mtime: Date.UTC(2024, 10, 12, 10, 11, 12) / 1000, path: 'big.iso' },
  { type: 'l', size: 26, mtime: Date.UTC(2024, 10, 12, 10, 11, 12) / 1000, path: 'link' },
  { type: 'f', size: 1, mtime: Date.UTC(2024, 0, 2, 3, 4, 5) / 1000, path: 'tab\there' },
  { type: 'd', size: 4096, mtime: Date.UTC(2024, 0, 2, 3, 4, 5) / 1000, path: 'a dir' },
  { type: 'f', size: 3, mtime: Date.UTC(2024, 10, 12, 10, 11, 12) / 1000, path: 'a dir/file with spaces.txt' },
  { type: 'l', size: 3, mtime: Date.UTC(2024, 10, 12, 10, 11, 12) / 1000, path: 'a dir/sl' },
  { type: 'd', size: 4096, mtime: Date.UTC(2024, 0, 2, 3, 4, 5) / 1000, path: 'a dir/sub' },
]

t.test('rsync listing: real output with --no-human-readable', async (t) => {
  t.same(fixture('plain.txt'), expected)
})

t.test('rsync listing: sizes with thousands separators parse to the same entries', async (t) => {
  t.same(fixture('separators.txt'), expected)
})

t.test('rsync listing: symlink targets (with -l) are split from the name', async (t) => {
  const entries = fixture('links.txt')
  t.same(entries[2], { ...expected[2], target: 'a dir/file with spaces.txt' })
  t.same(entries[6], { ...expected[6], target: 'sub' })
  t.same(entries[5], expected[5], 'a plain file named with spaces keeps its whole name')
  t.equal(parseListingLine('drwxr-x---        4096 2024/01/02 03:04:05 private')?.permissions, 'rwxr-x---', 'permissions are kept')
})

t.test('rsync listing: escapes, noise and special files', async (t) => {
  t.equal(parseListingLine('-rw-r--r--           1 2026/11/23 13:00:28 nl\\#012name')?.path, 'nl\nname')
  t.equal(decodeRsyncName('caf\\#303\\#251'), 'café', 'escaped UTF-8 bytes decode back to UTF-8')
  t.equal(decodeRsyncName('keep\\#9zz'), 'keep\\#9zz', 'not an escape: left alone')
  t.equal(parseListingLine(''), null)
  t.equal(parseListingLine('receiving incremental file list'), null)
  t.equal(parseListingLine('crw-rw-rw-        1,3 2024/01/02 03:04:05 dev/null'), null, 'devices are not content')
  t.equal(parseListingLine('prw-r--r--           0 2024/01/02 03:04:05 fifo'), null)
  t.equal(parseListingLine('drwxr-xr-x        4096 2024/01/02 03:04:05 dos\r')?.path, 'dos', 'CRLF tolerated')
  t.equal(parseListingLine('-rw-r--r-- 9,007,199,254,740,993 2024/01/02 03:04:05 too-big'), null, 'beyond 2^53 is rejected, not rounded')
  t.equal(parseListingLine('-rwsr-xr-t   1.234.567 2024/01/02 03:04:05 de_DE')?.size, 1234567, 'dot separators (de_DE)')
})

t.test('fullfiletimelist: [Files] entries, other sections skipped, [End] required', async (t) => {
  const text = [
    '[Version]',
    '2',
    '',
    '[Files]',
    '1731412345\td\t4096\treleases/41/Everything/x86_64/os',
    '1731412300\tf\t3732\treleases/41/Everything/x86_64/os/repodata/repomd.xml',
    '1731412299\tl\t11\treleases/41/Everything/x86_64/os/current',
    '1731412299\tf\t5\tname with spaces',
    '1731412299\tD\t0\tgone',
    '1731412299\t-\t0\tgone/file',
    '',
    '[Checksums SHA1]',
    'da39a3ee5e6b4b0d3255bfef95601890afd80709\treleases/41/Everything/x86_64/os/repodata/repomd.xml',
    '[Whatever New]',
    'anything at all',
    '[End]',
  ]
  const entries = []
  for await (const entry of parseFullfiletimelist(text)) entries.push(entry)
  t.same(entries, [
    { ctime: 1731412345, type: 'd', size: 4096, path: 'releases/41/Everything/x86_64/os' },
    { ctime: 1731412300, type: 'f', size: 3732, path: 'releases/41/Everything/x86_64/os/repodata/repomd.xml' },
    { ctime: 1731412299, type: 'l', size: 11, path: 'releases/41/Everything/x86_64/os/current' },
    { ctime: 1731412299, type: 'f', size: 5, path: 'name with spaces' },
    { ctime: 1731412299, type: 'D', size: 0, path: 'gone' },
    { ctime: 1731412299, type: '-', size: 0, path: 'gone/file' },
  ])
  const parser = new FullfiletimelistParser()
  for (const line of text) parser.line(line)
  t.equal(parser.version, '2')

  await t.rejects(async () => {
    for await (const _ of parseFullfiletimelist(text.slice(0, 8), 'ffl')) void _
  }, { code: 'MM_INVALID_INPUT', message: /ffl: ends without \[End\]/ }, 'a truncated list is an error, not a shorter tree')
  await t.rejects(async () => {
    for await (const _ of parseFullfiletimelist(['<html>', '[End]'])) void _
  }, { message: /no \[Files\] section/ })
  await t.rejects(async () => {
    for await (const _ of parseFullfiletimelist(['[Files]', '12\tx\t1\tp', '[End]'], 'ffl')) void _
  }, { message: /ffl line 2: not "ctime<TAB>type<TAB>size<TAB>path"/ })
})
