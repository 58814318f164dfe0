/**
 * The public pages in a real headless Chromium: each page of a fixture network loads with
 * its key elements, nothing fails (no console errors, no failed requests, no request off
 * this machine, no script under a CSP that forbids it), and screenshots of the mirror
 * list, a statistics page, a propagation chart and the map are saved (test temp dir and
 * /tmp/h17-shots/) for people to look at.
 */
import t from 'tap'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import { chromium, type Browser } from 'playwright-core'
import { publicPagesPlugin } from '../../src/http/web/public/plugin.js'
import { STYLESHEET, STYLESHEET_PATH } from '../../src/http/web/layout.js'
import { ingestAccessLogs } from '../../src/lib/stats/ingest.js'
import { existsSync } from 'node:fs'
import { runCli } from '../helpers/cli.js'
import { asDatabase, openTestDatabase } from '../helpers/database.js'
import { accessLogLines, buildPublicNetwork, NEVER_SHOWN } from '../helpers/public-network.js'

t.setTimeout(900_000) // a browser and several CLI runs on a shared, loaded machine
const SHOTS = '/tmp/h17-shots'
const work = mkdtempSync(join(tmpdir(), 'mm-public-browser-'))
t.teardown(() => rmSync(work, { recursive: true, force: true }))

const db = await openTestDatabase('embedded')
t.teardown(() => db.destroy())
const network = await buildPublicNetwork(db.sql)
const today = new Date().toISOString().slice(0, 10)
const log = join(work, 'access.log')
writeFileSync(log, `${accessLogLines(today, 45, (d) => 40 + ((d * 37) % 60) + (d % 7 === 5 ? 50 : 0)).join('\n')}\n`)
await ingestAccessLogs(db.sql, [log])

const app = Fastify()
app.addHook('onSend', async (_request, reply) => {
  // the policy serve-web sends: anything inline or off-site shows up as a console error
  reply.header('content-security-policy', "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'")
})
app.get(STYLESHEET_PATH, (_request, reply) => reply.type('text/css').send(STYLESHEET))
await app.register(publicPagesPlugin, { db: asDatabase(db), basePath: '' })
const origin = await app.listen({ host: '127.0.0.1', port: 0 })
t.teardown(() => app.close())

const browser: Browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})
t.teardown(() => browser.close())
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
const problems: string[] = []
context.on('request', (request) => {
  if (new URL(request.url()).hostname !== '127.0.0.1') problems.push(`request off the machine: ${request.url()}`)
})
context.on('requestfailed', (request) => problems.push(`failed: ${request.url()} ${request.failure()?.errorText}`))

async function visit(path: string, shot?: string, expectNotFound = false) {
  const page = await context.newPage()
  page.on('console', (message) => {
    if (expectNotFound && message.text().includes('status of 404')) return
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`${path}: console ${message.type()}: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`${path}: ${error.message}`))
  const response = await page.goto(`${origin}${path}`, { waitUntil: 'load', timeout: 60_000 })
  if (shot) {
    mkdirSync(SHOTS, { recursive: true })
    const file = join(work, `${shot}.png`)
    await page.screenshot({ path: file, fullPage: true })
    copyFileSync(file, join(SHOTS, `${shot}.png`))
  }
  return { page, status: response?.status() }
}

t.test('the front page links every product, version and arch that exists', async (t) => {
  const { page, status } = await visit('/')
  t.equal(status, 200)
  t.same(await page.locator('h2 a').allTextContents(), ['EPEL', 'Fedora'])
  t.ok(await page.locator('a[href="/mirrors/Fedora/41/aarch64"]').count(), 'Fedora 41 aarch64 cell links')
  t.equal(await page.locator('a[href="/mirrors/EPEL/9/aarch64"]').count(), 0, 'EPEL 9 has no aarch64 repository: no link')
  const versions = await page.locator('table.matrix').nth(1).locator('tbody th').allTextContents()
  t.same(versions, ['rawhide', '41', '40'], 'non-numeric versions first, then newest first')
  await page.close()
})

t.test('the mirror list: grouped by continent, filterable, never a private or disabled host', async (t) => {
  const { page, status } = await visit('/mirrors/Fedora/41/x86_64', 'mirror-list')
  t.equal(status, 200)
  t.match(await page.locator('p.lead').textContent(), /We currently have 10 active mirrors for Fedora 41 on x86_64\./)
  t.same(await page.locator('main h2').allTextContents(), ['Africa', 'Asia', 'Europe', 'North America', 'Oceania', 'South America'])
  const text = (await page.locator('main').textContent()) ?? ''
  for (const name of NEVER_SHOWN) t.notOk(text.includes(name), `${name} is not shown`)
  t.ok(text.includes('Kernel Mirrors <EU>'), 'a site name with markup characters is shown as text')
  t.equal(await page.locator('tr.mirror .ok').count(), 7)
  t.equal(await page.locator('tr.mirror .warn').count(), 2)
  await page.selectOption('#country', 'US')
  await Promise.all([page.waitForURL(/country=US/), page.click('form.filters button')])
  t.equal(await page.locator('tr.mirror').count(), 2, 'the country filter works without JavaScript')
  t.match(await page.locator('p.lead').textContent(), /2 active mirrors for Fedora 41 on x86_64 in US/)
  await page.close()
})

t.test('statistics: 30 days chart, top countries and repositories, a day table', async (t) => {
  const { page, status } = await visit('/statistics', 'statistics')
  t.equal(status, 200)
  t.equal(await page.locator('#daily svg rect title').count(), 30, 'one column per day')
  t.ok(await page.locator('#top-countries svg rect').count() >= 5)
  t.ok(await page.locator('#top-repositories svg rect').count() >= 5)
  const day = await visit(`/statistics/${today}/repositories`, 'statistics-day')
  t.equal(day.status, 200)
  t.ok(await day.page.locator('table.stats tr.total').count(), 'a Total row')
  t.equal(await day.page.locator('strong', { hasText: 'repository' }).count(), 1, 'the current category is bold')
  t.ok(await day.page.locator('a[rel="prev"]').count(), 'a link to the previous day')
  await page.close()
  await day.page.close()
})

t.test('propagation: the chooser and a stacked chart', async (t) => {
  const { page, status } = await visit('/propagation')
  t.equal(status, 200)
  t.equal(await page.locator('table.propagation tbody tr').count(), 3)
  await page.close()
  const id = network.repositories.get('updates-released-f41/x86_64')!
  const chart = await visit(`/propagation/${id}`, 'propagation')
  t.equal(chart.status, 200)
  t.equal(await chart.page.locator('#propagation-chart svg g.column').count(), 14, 'one column per measurement')
  t.ok(await chart.page.locator('#propagation-chart svg rect[fill="rgb(75,192,192)"]').count(), 'synced segments')
  await chart.page.close()
  const missing = await visit('/propagation/999999', undefined, true)
  t.equal(missing.status, 404)
  await missing.page.close()
})

t.test('the map: every placed public mirror as a dot, coloured by state', async (t) => {
  const { page, status } = await visit('/maps', 'map')
  t.equal(status, 200)
  t.equal(await page.locator('#map svg circle.mirror').count(), 9, '9 of the 10 public mirrors have coordinates')
  t.equal(await page.locator('#map svg circle.mirror.stale').count(), 2)
  t.equal(await page.locator('#map svg circle.mirror.unknown').count(), 1)
  t.match(await page.locator('main').textContent(), /Not placed yet: mirror\.uct\.example/)
  t.ok((await page.locator('#map svg path').first().getAttribute('d'))!.length > 100, 'the world is drawn')
  await page.close()
})

t.test('nothing failed, nothing left the machine', async (t) => {
  t.same(problems, [])
})

t.test('the commands: stats ingest, stats expire, host coordinates, generate-pages', async (t) => {
  await app.close()
  await db.disconnect() // the embedded database is one process's at a time
  const env = db.env
  const more = join(work, 'more.log')
  writeFileSync(more, `${accessLogLines(today, 1, () => 3).join('\n')}\nnot a line\n`)
  const ingest = await runCli(['stats', 'ingest', log, more, '--json'], { env })
  t.equal(ingest.status, 0, ingest.stderr)
  const result = JSON.parse(ingest.stdout) as { files: { lines: number; malformed: number; recognisedBy: string }[] }
  t.same(result.files.map((f) => [f.lines, f.malformed, f.recognisedBy]), [[0, 0, 'inode'], [4, 1, 'new']])
  const expire = await runCli(['stats', 'expire', '--days', '30', '--json'], { env })
  t.equal(expire.status, 0, expire.stderr)
  t.equal(JSON.parse(expire.stdout).days, 15, '45 days ingested, 30 kept')
  const set = await runCli(['host', 'coordinates', 'mirror.uct.example', '--latitude', '-33.92', '--longitude', '18.42'], { env })
  t.equal(set.status, 0, set.stderr)
  t.match(set.stdout, /Univ\. Cape Town\/mirror\.uct\.example: -33\.92, 18\.42 \(set by hand\)/)
  const bad = await runCli(['host', 'coordinates', 'mirror.uct.example', '--latitude', 'north', '--longitude', '18'], { env })
  t.not(bad.status, 0)
  t.match(bad.stderr, /latitude/)
  const locate = await runCli(['host', 'locate', '--city-db', join(work, 'missing.mmdb')], { env })
  t.not(locate.status, 0, 'a missing City database is an error')
  const out = join(work, 'static')
  const pages = await runCli(['generate-pages', '-o', out], { env })
  t.equal(pages.status, 0, pages.stderr)
  t.ok(existsSync(join(out, 'maps', 'index.html')))
  t.match(readFileSync(join(out, 'map', 'mirrors_location.txt'), 'utf8'), /^-33\.92\t18\.42\t<a href='https:\/\/mirror\.uct\.example'/m, 'the coordinates set by hand are on the map')
})
