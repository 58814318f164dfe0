import t from 'tap'
import { convertNetblock } from '../../src/lib/import-mm2/netblock.js'
import { parseLegacyFileList } from '../../src/lib/import-mm2/file-list.js'
import { archivePathCandidates } from '../../src/lib/lifecycle/move-to-archive.js'
import { formatMove } from '../../src/lib/lifecycle/repository-move.js'

t.test('netblocks in every form MirrorManager2 accepted', async (t) => {
  const cases: [string, string][] = [
    ['192.0.2.0/24', '192.0.2.0/24'],
    ['192.0.2.0/255.255.255.0', '192.0.2.0/24'],
    ['192.0.2.77/255.255.255.192', '192.0.2.64/26'],
    ['10.0.0.0/255.0.0.0', '10.0.0.0/8'],
    ['0.0.0.0/0.0.0.0', '0.0.0.0/0'],
    ['198.51.100.7', '198.51.100.7/32'],
    [' 198.51.100.7/32 ', '198.51.100.7/32'],
    ['2001:DB8:0:0::/48', '2001:db8::/48'],
    ['2001:db8::1', '2001:db8::1/128'],
    ['2001:db8:1:2:3:4:5:6/64', '2001:db8:1:2::/64'],
    ['Mirror-NAT.Example.com', 'mirror-nat.example.com'],
  ]
  for (const [input, expected] of cases) t.same(convertNetblock(input), { netblock: expected }, input)
  for (const bad of ['10.0.0.0/255.0.255.0', '192.0.2.0/33', '2001:db8::/129', '192.0.2.0/abc', '', 'not a name!', '300.1.1.1/8']) {
    t.ok('invalid' in convertNetblock(bad), `rejected: ${JSON.stringify(bad)}`)
  }
  t.same(convertNetblock('192.0.2.0/255.255.240.0'), { netblock: '192.0.0.0/20' })
})

t.test('legacy file lists', async (t) => {
  t.same(parseLegacyFileList('[{"name": "repomd.xml", "size": 4620, "timestamp": 1729000100}]'), {
    files: [{ name: 'repomd.xml', size: 4620, timestamp: 1729000100 }],
  })
  t.same(parseLegacyFileList('{"a.rpm": {"size": "12", "stat": 99}}'), { files: [{ name: 'a.rpm', size: 12, timestamp: 99 }] })
  t.same(parseLegacyFileList(null), { files: [] })
  t.same(parseLegacyFileList("(dp0\nS'.treeinfo'\np1\n"), { pickled: true })
  t.same(parseLegacyFileList('\u0080\u0002}q\u0000.'), { pickled: true })
  t.match(parseLegacyFileList('[{"name": '), { invalid: /not JSON/ })
  t.match(parseLegacyFileList('[{"size": 1}]'), { invalid: /without a name/ })
})

t.test('archive paths', async (t) => {
  t.same(archivePathCandidates('pub/fedora/linux/updates/testing/26/x86_64', 'pub/fedora/linux', 'pub/archive/fedora/linux'), [
    'pub/archive/fedora/linux/updates/testing/26/x86_64',
    'pub/archive/fedora/linux/fedora/linux/updates/testing/26/x86_64',
  ])
  t.same(archivePathCandidates('pub/epel/4/x86_64', 'pub/epel', 'pub/archive'), ['pub/archive/4/x86_64', 'pub/archive/epel/4/x86_64'])
  t.equal(
    formatMove({ from: 'pub/fedora/linux/development/27/Everything/x86_64/os', to: 'pub/fedora/linux/releases/27/Everything/x86_64/os' }),
    'pub/fedora/linux/development/27/Everything/x86_64/os => pub/fedora/linux/releases/27/Everything/x86_64/os',
  )
})
