import t from 'tap'
import { createServer } from 'node:net'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli, runCliJson } from '../helpers/cli.js'
import type { DemoResult } from '../../src/lib/demo/run-demo.js'

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

t.test('demo: the whole pipeline on a sample network answers as the README says', async (t) => {
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

  // Idempotent: a second run over the same directory gives the same network.
  const again = await runCliJson<DemoResult>(['demo', '--dir', dir, '--no-serve'], { timeoutMs: 180_000 })
  t.equal(again.status, 0, again.stderr)
  t.equal(again.json.snapshot.hosts, 4)
  t.equal(again.json.snapshot.repositories, 12)
})

t.test('demo: the human output names each step and prints copy-paste curl lines', async (t) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'mm-demo-')), 'demo')
  const port = await freePort()
  const webPort = await freePort()
  const { status, stdout, stderr } = await runCli(['demo', '--dir', dir, '--port', String(port), '--web-port', String(webPort), '--exit-after', '0'], { timeoutMs: 180_000 })
  t.equal(status, 0, stderr)
  for (const step of ['umdl: scanning the master tree', 'crawl: checking every mirror', 'generate-snapshot', 'serve-mirrorlist: answering']) {
    t.match(stdout, `==> ${step}`)
  }
  t.match(stdout, `curl -i 'http://127.0.0.1:${port}/mirrorlist?repo=fedora-41&arch=x86_64'`)
  t.match(stdout, /Press Ctrl-C to stop/)
  t.match(stdout, `The mirror operators' web pages: http://127.0.0.1:${webPort}/login`)
  t.match(stdout, /demo account \(a mirror admin\): demo \/ demo-password/)
})
