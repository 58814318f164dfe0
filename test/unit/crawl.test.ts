import t from 'tap'
import { joinUrl } from '../../src/lib/crawl/connectors/connector.js'
import { attemptsFor } from '../../src/lib/crawl/crawl-host.js'
import { summarizeCategory } from '../../src/lib/crawl/crawl-log.js'
import { eachLimit } from '../../src/lib/crawl/each-limit.js'
import { ListingCollector } from '../../src/lib/crawl/listing-compare.js'
import { defaultConnectors } from '../../src/lib/crawl/run-crawl.js'
import { continentFilter, inFraction, parseFraction } from '../../src/lib/crawl/select-hosts.js'
import type { MasterDirectory } from '../../src/lib/crawl/types.js'
import { createWriteQueue } from '../../src/lib/crawl/write-queue.js'
import { UsageError } from '../../src/lib/errors.js'

t.test('--fraction K:N puts every host id in exactly one part', async (t) => {
  t.same(parseFraction('2:3'), [2, 3])
  for (const bad of ['0:3', '4:3', '1:0', 'a:b', '1/2', '']) t.throws(() => parseFraction(bad), UsageError, bad)
  for (let id = 1; id <= 100; id++) {
    const owners = [1, 2, 3].filter((k) => inFraction(id, [k, 3]))
    t.equal(owners.length, 1, `host ${id}`)
  }
})

t.test('--continent: include, exclude with ^, unknown codes rejected', async (t) => {
  const notEurope = continentFilter(['^EU'])
  t.equal(notEurope('SE'), false)
  t.equal(notEurope('US'), true)
  const americas = continentFilter(['na', 'SA'])
  t.same(['US', 'BR', 'DE'].map(americas), [true, true, false])
  t.throws(() => continentFilter(['XX']), UsageError)
})

const directories: MasterDirectory[] = [
  { id: 1, path: '', readable: true, files: [] },
  { id: 2, path: 'os/repodata', readable: true, files: [{ name: 'repomd.xml', size: 10 }, { name: 'primary.xml.gz', size: 20 }] },
  { id: 3, path: 'os/Packages', readable: true, files: [{ name: 'a.rpm', size: 5 }] },
  { id: 4, path: 'iso', readable: true, files: [{ name: 'x.iso', size: 7 }] },
]

t.test('listing comparison: same size or a symlink counts, anything else is stale', async (t) => {
  const collector = new ListingCollector(directories)
  collector.add('os/repodata/repomd.xml', 'f', 10)
  collector.add('os/repodata/primary.xml.gz', 'l', 3)
  collector.add('./os/Packages/a.rpm', 'f', 6)
  collector.add('unrelated/file', 'f', 1)
  t.same(Object.fromEntries(collector.verdicts(directories)), { 1: 'up2date', 2: 'up2date', 3: 'stale', 4: 'stale' })
  t.equal(collector.found.size, 3, 'entries the master does not ask about are not kept')
})

t.test('protocols are tried cheapest first', async (t) => {
  const urls = ['ftp://m.example/pub/epel', 'https://m.example/epel/', 'rsync://m.example/epel', 'http://m.example/epel', 'gopher://m.example/x', 'not a url']
  const order = attemptsFor(defaultConnectors, urls).map((a) => `${a.connector.protocol} ${a.url}`)
  t.same(order, [
    'fullfiletimelist https://m.example/epel',
    'fullfiletimelist http://m.example/epel',
    'rsync rsync://m.example/epel',
    'http http://m.example/epel',
    'https https://m.example/epel',
    'ftp ftp://m.example/pub/epel',
  ])
})

t.test('joinUrl encodes each path segment', async (t) => {
  t.equal(joinUrl('http://m/pub', 'a b/c#d', 'x?.rpm'), 'http://m/pub/a%20b/c%23d/x%3F.rpm')
  t.equal(joinUrl('http://m/pub', '', ''), 'http://m/pub')
})

t.test('eachLimit bounds concurrency and stops after the first error', async (t) => {
  let running = 0
  let most = 0
  const seen: number[] = []
  await eachLimit([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
    running++
    most = Math.max(most, running)
    await new Promise((resolve) => setTimeout(resolve, 5))
    seen.push(n)
    running--
  })
  t.equal(most, 3)
  t.equal(seen.length, 7)
  const started: number[] = []
  await t.rejects(
    eachLimit([1, 2, 3, 4, 5], 1, async (n) => {
      started.push(n)
      if (n === 2) throw new Error('boom')
    }),
    /boom/,
  )
  t.same(started, [1, 2], 'nothing new starts after a failure')
})

t.test('the write queue runs writes one at a time, in order, and survives a failed one', async (t) => {
  const queue = createWriteQueue()
  const order: string[] = []
  let active = 0
  const write = (name: string, fail = false) =>
    queue.push(async () => {
      active++
      t.equal(active, 1, `${name} runs alone`)
      await new Promise((resolve) => setTimeout(resolve, 3))
      order.push(name)
      active--
      if (fail) throw new Error(name)
    })
  const results = await Promise.allSettled([write('a'), write('b', true), write('c')])
  t.same(order, ['a', 'b', 'c'])
  t.same(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled'])
})

t.test('crawl log lines say what an operator needs', async (t) => {
  const base = { hostCategoryId: 1, categoryName: 'Fedora EPEL', complete: true }
  t.equal(
    summarizeCategory({ ...base, protocol: 'http', status: 'checked', verdicts: new Map([[1, 'up2date'], [2, 'stale']]), attempts: ['fullfiletimelist http://m/epel: HTTP 404'] }).line,
    'Fedora EPEL: 1 up to date, 1 stale via http (before: fullfiletimelist http://m/epel: HTTP 404)',
  )
  t.equal(
    summarizeCategory({ ...base, protocol: null, status: 'unreachable', verdicts: new Map(), attempts: ['http http://m/epel: ECONNREFUSED'] }).line,
    'Fedora EPEL: unreachable (http http://m/epel: ECONNREFUSED)',
  )
})

t.test('the listr display runs every host, bounded, and a failed host does not stop the others', async (t) => {
  const { listrCrawlProgress } = await import('../../src/lib/cli/crawl-progress.js')
  const hosts = Array.from({ length: 5 }, (_, i) => ({ id: i + 1, name: `h${i + 1}`, country: 'SE', maxConnections: 1, lastCrawlDuration: null, crawlFailures: 0, categories: [] }))
  let running = 0
  let most = 0
  const done: string[] = []
  const write = process.stderr.write
  process.stderr.write = (() => true) as typeof process.stderr.write
  try {
    const task = (host: (typeof hosts)[number]) => async (step: (text: string) => void) => {
      running++
      most = Math.max(most, running)
      step('Fedora EPEL')
      await new Promise((resolve) => setTimeout(resolve, 5))
      running--
      done.push(host.name)
      const started = new Date()
      return { host, mode: 'full' as const, result: host.id === 2 ? ('unreachable' as const) : ('ok' as const), started, finished: started, categories: [], families: [], counters: { requests: {}, bytes: 0 }, disabled: false, message: null }
    }
    await listrCrawlProgress()(hosts.map((host) => ({ host, run: task(host) })), 2)
  } finally {
    process.stderr.write = write
  }
  t.same(done.sort(), ['h1', 'h2', 'h3', 'h4', 'h5'])
  t.equal(most, 2)
})

t.test('regression: a mirror lacking a whole release is not up to date for its file-less directories', async (t) => {
  const { settleEmptyDirectories } = await import('../../src/lib/crawl/empty-directories.js')
  const dir = (id: number, path: string, files = 0) => ({
    id,
    path,
    readable: true,
    files: Array.from({ length: files }, (_, i) => ({ name: `f${i}`, size: 1, timestamp: 0 })),
  })
  const directories = [
    dir(0, ''),
    dir(1, 'releases/41'),
    dir(2, 'releases/41/os'),
    dir(3, 'releases/41/os/repodata', 2),
    dir(4, 'releases/40/os'),
    dir(5, 'releases/40/os/repodata', 2),
    dir(6, 'releases/40/os/empty-leaf'),
  ]
  const verdicts = settleEmptyDirectories(
    directories,
    new Map<number, 'up2date' | 'stale'>([
      [0, 'up2date'],
      [1, 'up2date'],
      [2, 'up2date'],
      [3, 'stale'],
      [4, 'up2date'],
      [5, 'up2date'],
      [6, 'up2date'],
    ]),
  )
  t.equal(verdicts.get(2), 'stale', 'os/ holds no files and its repodata is missing: stale')
  t.equal(verdicts.get(1), 'stale', 'and so is the release above it')
  t.equal(verdicts.get(4), 'up2date', 'a file-less directory whose subdirectory is confirmed is up to date')
  t.equal(verdicts.get(6), 'up2date', 'an empty leaf stays up to date (spec)')
  t.equal(verdicts.get(0), 'up2date', 'the category top (path "") is the shallowest: settled after release 40 below it')
})

t.test('regression: concurrent requests on one signal printed MaxListenersExceededWarning (abort fan-out)', async (t) => {
  const { EventEmitter } = await import('node:events')
  const getEventListeners = (target: EventTarget, name: string) => EventEmitter.getEventListeners(target, name)
  const { AbortFanOut } = await import('../../src/lib/crawl/abort-fan-out.js')
  const fanOut = new AbortFanOut()
  const parent = new AbortController()
  const children = Array.from({ length: 50 }, () => fanOut.child(parent.signal))
  t.equal(getEventListeners(parent.signal, 'abort').length, 1, '50 requests in flight, one listener on the shared signal')
  for (const child of children.slice(0, 49)) child.release()
  t.equal(getEventListeners(parent.signal, 'abort').length, 1, 'still one while a request is in flight')
  const reason = new Error('host timeout')
  const last = children[49]
  const more = fanOut.child(parent.signal)
  parent.abort(reason)
  t.equal(last.signal.reason, reason, 'a request in flight aborts with the parent\'s reason')
  t.equal(more.signal.reason, reason)
  t.notOk(children[0].signal.aborted, 'a released request is left alone')
  t.equal(fanOut.child(parent.signal).signal.reason, reason, 'a request started after the abort is aborted at once')
  last.release()
  more.release()
  const again = new AbortController()
  for (const child of Array.from({ length: 3 }, () => fanOut.child(again.signal))) child.release()
  t.equal(getEventListeners(again.signal, 'abort').length, 0, 'no listener left once every request is done')
})
