import t, { type Test } from 'tap'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { scanDirectorySourceHere } from '../../src/lib/umdl/scan-directory.js'
import { storedTree, type ScanResult, type ScannedDirectory, type StoredEntry } from '../../src/lib/umdl/scan-types.js'
import { StatAhead } from '../../src/lib/umdl/stat-ahead.js'
import { buildMasterTree } from '../helpers/master-tree.js'

/** Lets the tree's ctimes fall out of umdl's 2-second "racily clean" window. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 2100))

async function walk(top: string, stored: Map<string, StoredEntry>, ahead?: StatAhead): Promise<{ directories: Map<string, ScannedDirectory>; result: ScanResult }> {
  const directories = new Map<string, ScannedDirectory>()
  const result = await scanDirectorySourceHere(top, [], storedTree(stored), (directory) => {
    directories.set(directory.path, directory)
    return undefined
  }, undefined, ahead)
  return { directories, result }
}

/** The stored state as category-store.ts reads it: the flat text, and the entries with their positions in it. */
function storedState(scanned: Map<string, ScannedDirectory>, drop: (path: string) => boolean = () => false, ghosts: string[] = []) {
  const values: (number | boolean | string)[] = []
  const stored = new Map<string, StoredEntry>()
  let index = 0
  const rows: [string, number, boolean][] = [...scanned].map(([path, directory]) => [path, directory.ctime, directory.readable])
  for (const [path, ctime, readable] of [...rows, ...ghosts.map((path): [string, number, boolean] => [path, 5, true])]) {
    if (drop(path)) continue
    values.push(index + 1, ctime, readable, path)
    stored.set(path, { ctime, index: index++ })
  }
  return { flat: JSON.stringify(values), stored }
}

/** A master tree in a directory removed after the test, settled and walked once. */
async function walkedTree(t: Test): Promise<{ work: string; fedora: string; first: Awaited<ReturnType<typeof walk>> }> {
  const work = mkdtempSync(join(tmpdir(), 'mm-umdl-ahead-'))
  t.teardown(() => rmSync(work, { recursive: true, force: true }))
  const { fedora } = buildMasterTree(join(work, 'master'))
  await settle()
  return { work, fedora, first: await walk(fedora, new Map()) }
}

t.test('a routine walk with the stat-ahead worker finds what a walk without it finds', async (t) => {
  const { fedora, first } = await walkedTree(t)
  // The stored state of that walk, then changes: a new directory, a changed one, a
  // vanished one (and its subtree), one no longer world-readable, one not stored; and
  // one stored under an unchanged parent that is not there (the worker finds it missing).
  const ghost = 'releases/41/Everything/ghost'
  const { flat, stored } = storedState(first.directories, (path) => path === 'releases/41/Everything/source/tree', [ghost])
  mkdirSync(join(fedora, 'releases', '41', 'Everything', 'x86_64', 'os', 'new'))
  writeFileSync(join(fedora, 'updates', '41', 'Everything', 'x86_64', 'added.rpm'), 'x')
  rmSync(join(fedora, 'development', '42'), { recursive: true })
  chmodSync(join(fedora, 'releases', '20'), 0o700)
  t.teardown(() => chmodSync(join(fedora, 'releases', '20'), 0o755))
  await settle()

  const plain = await walk(fedora, stored)
  const ahead = new StatAhead(fedora)
  ahead.start(flat, stored.size)
  await ahead.finished() // every stored directory stat'ed by the worker: the walk takes them all
  const withAhead = await walk(fedora, stored, ahead)
  await ahead.stop()

  t.ok(plain.result.directoriesListed > 0 && plain.result.directoriesListed < plain.directories.size, `a routine walk: ${plain.result.directoriesListed} of ${plain.directories.size} listed`)
  t.same(withAhead.directories, plain.directories, 'the same directories, ctimes, readable flags, files and file details')
  t.same(withAhead.result, plain.result, 'the same counters and warnings')
  t.ok(!withAhead.directories.has('development/42'), 'a vanished directory is not seen')
  t.equal(withAhead.directories.get('releases/20')?.readable, false, 'a readable change is seen')
  t.ok(!withAhead.directories.has(ghost), 'a stored directory that is not there is not seen')
  const visitedStored = [...withAhead.directories.keys()].filter((path) => stored.has(path)).length
  t.equal(ahead.taken, visitedStored + 1, `every stat of a stored directory the walk visited came from the worker (${visitedStored} seen, and the one missing)`)
})

t.test('the stat-ahead worker stats relative to the top while the working directory is there', async (t) => {
  const { work, fedora, first } = await walkedTree(t)
  const { flat, stored } = storedState(first.directories)
  writeFileSync(join(fedora, 'updates', '41', 'Everything', 'x86_64', 'added.rpm'), 'x')
  await settle()
  const plain = await walk(fedora, stored)
  const cwd = process.cwd()
  // Told a top that does not exist: only stats relative to the working directory find anything.
  const ahead = new StatAhead(join(work, 'not-there'))
  process.chdir(fedora)
  ahead.start(flat, stored.size)
  ahead.workingDirectoryIsTop(true)
  try {
    await ahead.finished() // every stat made relative to the top
  } finally {
    ahead.workingDirectoryIsTop(false)
    process.chdir(cwd)
  }
  const withAhead = await walk(fedora, stored, ahead)
  t.equal(ahead.taken, plain.directories.size, 'every stat from the worker')
  t.same(withAhead.directories, plain.directories, 'the same directories, ctimes, readable flags and files')
})

t.test('the stat-ahead worker stops when told, and a walk after that stats for itself', async (t) => {
  const { fedora, first } = await walkedTree(t)
  const { flat, stored } = storedState(first.directories)
  const ahead = new StatAhead(fedora)
  ahead.start(flat, stored.size)
  await ahead.stop()
  await ahead.finished()
  const after = await walk(fedora, stored, ahead)
  t.same([...after.directories.keys()].sort(), [...first.directories.keys()].sort(), 'every directory seen')
  t.equal(after.result.directoriesListed, 0, 'nothing changed, nothing listed')
})
