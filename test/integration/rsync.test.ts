import t from 'tap'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { listRsync } from '../../src/lib/rsync/run-rsync.js'
import type { ListingEntry } from '../../src/lib/rsync/listing.js'
import { startRsyncDaemon } from '../helpers/rsync-daemon.js'

async function collect(url: string, options = {}): Promise<ListingEntry[]> {
  const entries: ListingEntry[] = []
  for await (const entry of listRsync(url, options)) entries.push(entry)
  return entries
}

t.test('listRsync against a real rsync --daemon on 127.0.0.1', async (t) => {
  const tree = mkdtempSync(join(tmpdir(), 'mm-rsync-tree-'))
  t.teardown(() => rmSync(tree, { recursive: true, force: true }))
  mkdirSync(join(tree, 'pub', 'with space'), { recursive: true })
  writeFileSync(join(tree, 'pub', 'with space', 'a file.txt'), 'hello')
  writeFileSync(join(tree, 'pub', 'big.iso'), '')
  truncateSync(join(tree, 'pub', 'big.iso'), 5_000_000_000)
  symlinkSync('with space', join(tree, 'pub', 'current'))
  const daemon = await startRsyncDaemon({ modules: { fedora: tree } })
  t.teardown(() => daemon.stop())

  const entries = await collect(daemon.url('fedora'))
  const byPath = new Map(entries.map((entry) => [entry.path, entry]))
  t.same([...byPath.keys()].sort(), ['.', 'pub', 'pub/big.iso', 'pub/current', 'pub/with space', 'pub/with space/a file.txt'])
  t.equal(byPath.get('pub/big.iso')?.size, 5_000_000_000, 'sizes beyond 2^32')
  t.equal(byPath.get('pub/with space/a file.txt')?.size, 5)
  t.equal(byPath.get('pub/current')?.type, 'l')
  t.equal(byPath.get('pub/with space')?.type, 'd')

  const sub = await collect(daemon.url('fedora', 'pub/with space/'))
  t.same(sub.map((entry) => entry.path).sort(), ['.', 'a file.txt'], 'a subdirectory URL lists relative to itself')

  await t.rejects(collect(daemon.url('nosuchmodule')), {
    code: 'MM_RSYNC_FAILED',
    rsyncExitCode: 5,
    exitStatus: 9,
    message: /Unknown module 'nosuchmodule'/,
  })
})

t.test('listRsync: connection refused is a network error; a missing binary is clear', async (t) => {
  await t.rejects(collect('rsync://127.0.0.1:1/x/', { ioTimeoutSeconds: 5 }), { code: 'MM_RSYNC_FAILED', rsyncExitCode: 10, exitStatus: 10 })
  await t.rejects(collect('/tmp/', { rsyncPath: '/nonexistent/rsync' }), { message: /cannot run rsync/ })
})

t.test('listRsync: a local path lists, and a missing one fails with exit 23', async (t) => {
  const entries = await collect(join(import.meta.dirname, '..', 'fixtures', 'rsync') + '/')
  t.ok(entries.some((entry) => entry.path === 'plain.txt'))
  await t.rejects(collect('/nonexistent-mm-path/'), { code: 'MM_RSYNC_FAILED', rsyncExitCode: 23 })
})

t.test('listRsync: stopping early kills rsync', async (t) => {
  for await (const entry of listRsync('/usr/share/')) {
    t.ok(entry.path)
    break
  }
})
