import t from 'tap'
import { spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli, runCliJson } from '../helpers/cli.js'
import type { DemoResult } from '../../src/lib/demo/run-demo.js'
import { resolveConfig } from '../../src/lib/config/resolve.js'
import { COMMAND_MIGRATIONS, openDatabase } from '../../src/lib/db/connect.js'

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

t.test('demo: the whole pipeline on a sample network answers as the README says; run again, its human output', async (t) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'mm-demo-')), 'demo')
  const port = await freePort()
  const webPort = await freePort()
  const { status, json, stderr } = await runCliJson<DemoResult>(['demo', '--dir', dir, '--port', String(port), '--web-port', String(webPort), '--exit-after', '0'], {
    env: { DATABASE_URL: 'postgres://ignored@127.0.0.1:1/demo-must-not-use-this' },
    timeoutMs: 180_000,
  })
  t.equal(status, 0, stderr)
  t.equal(json.umdl.totals.failed, 0, 'umdl scanned the master tree')
  t.equal(json.crawl.hosts.ok, 4, 'all four mirrors crawled')
  t.equal(json.snapshot.repositories, 12, '2 releases x 2 arches x (os, updates, updates-testing)')
  const answers = new Map(json.serving!.answers.map((answer) => [new URL(answer.url).search, answer]))
  const get = (query: string) => {
    const answer = answers.get(query)
    if (!answer) throw new Error(`no answer for ${query}`)
    return answer
  }

  const newest = get('?repo=fedora-41&arch=x86_64')
  t.equal(newest.status, 200)
  t.match(newest.body, /^# repo = fedora-41 arch = x86_64 country = global \n/)
  t.match(newest.body, /mirror\.se\.example\/pub\/fedora\/linux\/releases\/41\/Everything\/x86_64\/os\//)
  t.match(newest.body, /mirror\.de\.example/)
  t.notMatch(newest.body, /mirror\.us\.example/, 'the mirror a release behind is not offered for the new release')
  t.notMatch(newest.body, /campus\.example/, 'the private mirror is offered to nobody outside its netblock')

  t.match(get('?repo=fedora-40&arch=x86_64').body, /mirror\.us\.example/, 'but it is for the release it has')
  // issue 22: the note asks about mirror.us.example; explain=1 (the demo serves with --debug-selection) must say why.
  const explained = get('?repo=fedora-41&arch=x86_64&explain=1').body
  t.match(explained, /^# - host \d+ mirror\.us\.example \(US\): does not have pub\/fedora\/linux\/releases\/41\S* up to date/m)
  t.match(explained, /^# - host \d+ campus\.example \(\w+\): private host/m)

  const metalink = get('?repo=updates-released-f41&arch=x86_64')
  t.match(metalink.body, /<hash type="sha256">[0-9a-f]{64}<\/hash>/)
  // no GeoIP in the demo: a global fill, bandwidth-weighted (SE 10000, DE 1000), so either may come first
  const listed = [...metalink.body.matchAll(/preference="(\d+)">http:\/\/127\.0\.0\.1:\d+\/(mirror\.\w+\.example)\/pub\/fedora\/linux\/updates\/41\/Everything\/x86_64\/repodata\/repomd\.xml<\/url>/g)]
  t.same(listed.map((m) => m[1]), ['100', '99'], 'the two mirrors that carry the release, preferences 100 and 99')
  t.same(listed.map((m) => m[2]).sort(), ['mirror.de.example', 'mirror.se.example'])

  const germany = get('?repo=fedora-41&arch=x86_64&country=de')
  t.equal(germany.body.split('\n')[1], `${new URL(germany.body.split('\n')[1]).origin}/mirror.de.example/pub/fedora/linux/releases/41/Everything/x86_64/os/`)

  const campus = get('?repo=fedora-41&arch=x86_64&ip=192.0.2.10')
  t.match(campus.body, /^# repo = fedora-41 arch = x86_64 Using preferred netblock /)
  t.match(campus.body.split('\n')[1], /campus\.example/, 'the private mirror comes first inside its netblock')

  const redirect = get('?path=pub/fedora/linux/releases/41/Everything/x86_64/iso/&redirect=1')
  t.equal(redirect.status, 302)
  t.match(redirect.location, /\/releases\/41\/Everything\/x86_64\/iso\/$/)

  t.match(readFileSync(join(dir, 'demo.repo'), 'utf8'), `metalink=http://127.0.0.1:${port}/metalink?repo=fedora-$releasever&arch=$basearch`)
  t.ok(existsSync(join(dir, 'data', 'pgdata')), 'the demo uses its own embedded database, not DATABASE_URL')
  t.match(json.serving!.web, { url: `http://127.0.0.1:${webPort}`, account: { username: 'demo' }, roundSeconds: 60 }, 'the web pages are served too')
  t.match(json.serving!.web!.unregisteredUrl, /\/mirror\.new\.example\/pub\/fedora\/linux$/, 'with a copy nobody registered')

  // Issue 17: the demo's rounds fill the propagation and statistics pages by themselves.
  const accessLog = json.serving!.web!.accessLog
  const logged = readFileSync(accessLog, 'utf8').split('\n').filter(Boolean)
  t.ok(logged.length > 0, 'serve-mirrorlist wrote its access log in the demo directory')
  const database = await openDatabase(resolveConfig({ env: { MM_DATA_DIR: join(dir, 'data') }, configFile: '/dev/null' }), { migrations: COMMAND_MIGRATIONS })
  try {
    const [{ requests }] = await database.sql<{ requests: number }[]>`select coalesce(sum(accesses), 0)::int as requests from access_stat_day`
    t.equal(requests, logged.length, 'every line of the access log is in the statistics, once')
    const [{ measured }] = await database.sql<{ measured: number }[]>`select count(distinct repository_id)::int as measured from propagation_stat`
    t.equal(measured, 12, 'propagation measured for every repository')
  } finally {
    await database.close()
  }

  // Idempotent: a second run over the same directory gives the same network. It is also the
  // human-output run, from outside the clone as a newcomer would run it after `cd`.
  const elsewhere = mkdtempSync(join(tmpdir(), 'mm-demo-cwd-'))
  const port2 = await freePort()
  const webPort2 = await freePort()
  const { status: humanStatus, stdout, stderr: humanStderr } = await runCli(['demo', '--dir', dir, '--port', String(port2), '--web-port', String(webPort2), '--exit-after', '0'], { timeoutMs: 180_000, cwd: elsewhere })
  t.equal(humanStatus, 0, humanStderr)
  for (const step of ['umdl: scanning the master tree', 'crawl: checking every mirror', 'generate-snapshot', 'serve-mirrorlist: answering']) {
    t.match(stdout, `==> ${step}`)
  }
  t.match(stdout, `curl -i 'http://127.0.0.1:${port2}/mirrorlist?repo=fedora-41&arch=x86_64'`)
  t.match(stdout, /Press Ctrl-C to stop/)
  t.match(stdout, `The mirror operators' web pages: http://127.0.0.1:${webPort2}/login`)
  t.match(stdout, /demo account \(a mirror admin\): demo \/ demo-password/)
  t.match(stdout, /^hosts\s+4$/m, 'the same four hosts the second time')
  t.match(stdout, /^repositories\s+12$/m)

  // regression (issue 22): the "run the steps yourself" lines said `npx mirrormanager`, which
  // outside the clone asks the npm registry. The printed line must work from another directory.
  t.notMatch(stdout, /npx /)
  const hostList = stdout.split('\n').map((line) => line.trim()).find((line) => / host list --data-dir /.test(line))
  t.ok(hostList, 'a host list line is printed')
  const fromElsewhere = spawnSync('sh', ['-c', hostList!], { cwd: elsewhere, encoding: 'utf8', env: { ...process.env, MM_CONFIG: '/dev/null' }, timeout: 120_000 })
  t.equal(fromElsewhere.status, 0, fromElsewhere.stderr)
  t.match(fromElsewhere.stdout, /mirror\.se\.example/, 'the printed command lists the demo hosts from another directory')

  // The public map places the demo's mirrors (it has no GeoIP City database: they are registered with coordinates).
  const pages = join(elsewhere, 'pages')
  const exported = await runCli(['generate-pages', '-o', pages, '--data-dir', join(dir, 'data')], { timeoutMs: 120_000, env: { MM_CONFIG: '/dev/null' } })
  t.equal(exported.status, 0, exported.stderr)
  const map = readFileSync(join(pages, 'maps', 'mirrors.svg'), 'utf8')
  for (const host of ['mirror.se.example', 'mirror.de.example', 'mirror.us.example']) t.match(map, `${host} (Demo Mirrors,`, `the map places ${host}`)
  t.notMatch(map, /campus\.example/, 'the private mirror is not on the public map')
})

t.test('regression: demo with a busy port stops before the pipeline, with its own exit status', async (t) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'mm-demo-')), 'demo')
  const taken = createServer().listen(0, '127.0.0.1')
  await once(taken, 'listening')
  t.teardown(() => taken.close())
  const port = (taken.address() as { port: number }).port
  const { status, stdout, stderr } = await runCli(['demo', '--dir', dir, '--port', String(port)], { timeoutMs: 60_000 })
  t.equal(status, 12, stderr)
  t.match(stderr, `port ${port} is in use on 127.0.0.1; pass --port`)
  t.match(stderr, /Code: MM_PORT_IN_USE/)
  t.notMatch(stdout, /umdl: scanning/, 'nothing was run')
  t.notOk(existsSync(join(dir, 'data')), 'no database was created')
})
