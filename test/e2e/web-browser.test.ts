/**
 * serve-web in a real headless Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core): a newcomer signs up through the mailed link, registers a site, a
 * host, a category with http and rsync URLs and a netblock; another user is kept out;
 * an admin is not; logout ends the session; hostile names render as text. Screenshots
 * of the main pages go to the test's temp dir (and a few to /tmp/h16-shots/).
 * Also serve-web --workers without a browser: one port, two workers, sessions and
 * metrics across them, SIGTERM; refused on the embedded database.
 */
import t, { type Test } from 'tap'
import type { ChildProcess } from 'node:child_process'
import { request } from 'node:http'
import { connect, createServer, type AddressInfo } from 'node:net'
import { once } from 'node:events'
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { addCategory } from '../../src/lib/catalog/categories.js'
import { addProduct } from '../../src/lib/catalog/products.js'
import { runCli, spawnCli } from '../helpers/cli.js'
import { databaseKinds, openTestDatabase, type TestDatabase } from '../helpers/database.js'
import { until } from '../helpers/until.js'

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
const SCRIPT = '<script>alert(1)</script>'
const IMG = '"><img src=x onerror=alert(2)>'

interface WebServer {
  url: string
  child: ChildProcess
  log: () => string
}

async function startServeWeb(db: TestDatabase, extra: string[] = [], listening = 1): Promise<WebServer> {
  const child = spawnCli(['serve-web', '--port', '0', ...extra], {
    env: { ...process.env, ...db.env, NO_COLOR: '1', MM_WEB_PUBLIC_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk) => (stderr += chunk))
  child.stdout!.resume()
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve-web did not start:\n${stderr}`)), 120_000)
    const check = () => {
      const matches = [...stderr.matchAll(/serve-web: listening on (http:\/\/\S+)/g)]
      if (matches.length >= listening) {
        clearTimeout(timer)
        resolve(matches[0][1])
      }
    }
    child.stderr!.on('data', check)
    child.on('exit', (code) => reject(new Error(`serve-web exited ${code}:\n${stderr}`)))
  })
  return { url, child, log: () => stderr }
}

/** The newest link of this kind the server "mailed" (written to its log without SMTP). */
function mailedLink(server: WebServer, path: string): string {
  const links = [...server.log().matchAll(new RegExp(`(http://\\S+${path}/[A-Za-z0-9_-]+)`, 'g'))]
  if (links.length === 0) throw new Error(`no ${path} link in the log:\n${server.log()}`)
  return links[links.length - 1][1]
}

async function submit(page: Page, formSelector: string, fields: Record<string, string>, button = 'button[type=submit]') {
  for (const [name, value] of Object.entries(fields)) await page.fill(`${formSelector} [name="${name}"]`, value)
  await Promise.all([page.waitForLoadState('load'), page.click(`${formSelector} ${button}`)])
}

async function logIn(page: Page, base: string, username: string, password: string) {
  await page.goto(`${base}/login`)
  await submit(page, 'main form.stacked', { username, password })
}

for (const kind of databaseKinds()) {
  t.test(`${kind}: sign up, register a mirror, permissions, logout — in Chromium`, { timeout: 600_000 }, async (t) => {
    const shots = mkdtempSync(join(tmpdir(), 'mm-web-shots-'))
    const shared = '/tmp/h16-shots'
    mkdirSync(shared, { recursive: true })
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    await addProduct(db.sql, { name: 'Fedora' })
    await addCategory(db.sql, 'Fedora Linux', { product: 'Fedora', topdir: 'pub/fedora/linux' })
    await db.disconnect()
    const admin = await runCli(['user', 'add', 'root', '--email', 'root@example.org', '--admin', '--password-stdin'], { env: db.env, input: 'root password\n' })
    t.equal(admin.status, 0, admin.stderr)

    const server = await startServeWeb(db)
    t.teardown(async () => {
      if (server.child.exitCode === null) {
        server.child.kill('SIGTERM')
        await once(server.child, 'exit')
      }
    })
    const base = server.url
    const browser: Browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
    t.teardown(() => browser.close())
    const shot = async (page: Page, name: string, copy = false) => {
      const file = join(shots, `${kind}-${name}.png`)
      await page.screenshot({ path: file, fullPage: true })
      if (copy) copyFileSync(file, join(shared, `${kind}-${name}.png`))
    }
    const dialogs: string[] = []

    // Alice signs up and confirms through the mailed link.
    const alice = await (await browser.newContext()).newPage()
    alice.on('dialog', (dialog) => {
      dialogs.push(dialog.message())
      void dialog.dismiss()
    })
    await alice.goto(`${base}/user/new`)
    await submit(alice, 'main form.stacked', { user_name: 'alice', display_name: 'Alice', email_address: 'alice@example.org', password: 'alice password', confirm_password: 'alice password' })
    t.match(await alice.textContent('main'), /confirmation link is on its way/)
    await alice.goto(mailedLink(server, '/confirm'))
    t.match(await alice.textContent('main'), /Address confirmed for alice/)
    await logIn(alice, base, 'alice', 'alice password')
    t.equal(new URL(alice.url()).pathname, '/site/mine')

    // A site (with hostile name), a host, a category with http and rsync URLs, a netblock.
    await alice.goto(`${base}/site/new`)
    await shot(alice, 'site-new')
    // (the browser checks type=url itself; an ftp URL passes it and is refused by the server)
    await submit(alice, 'main form.stacked', { name: `Alice U ${SCRIPT}`, org_url: 'ftp://alice.example.edu' })
    t.match(await alice.textContent('.field-error'), /org-url: "ftp:\/\/alice.example.edu" must be an http or https URL/, 'the error next to the field')
    t.equal(await alice.inputValue('[name=name]'), `Alice U ${SCRIPT}`, 'what was typed is kept')
    await shot(alice, 'site-new-error', true)
    await submit(alice, 'main form.stacked', { org_url: 'https://alice.example.edu' })
    const siteUrl = alice.url()
    t.match(siteUrl, /\/site\/\d+$/)
    await alice.click('text=Add a host')
    await submit(alice, 'main form.stacked', { name: 'mirror.alice.example.edu', country: 'de', bandwidth_int: '1000' })
    const hostUrl = alice.url()
    t.match(hostUrl, /\/host\/\d+$/)
    const hostId = hostUrl.split('/').pop()!
    await Promise.all([alice.waitForLoadState('load'), alice.click('form[action$="/category/new"] button')])
    await alice.fill('form[action$="/url/new"] [name=url]', 'https://mirror.alice.example.edu/fedora/linux/')
    await Promise.all([alice.waitForLoadState('load'), alice.click('form[action$="/url/new"] button')])
    await alice.fill('form[action$="/url/new"] [name=url]', 'rsync://mirror.alice.example.edu/fedora-linux')
    await Promise.all([alice.waitForLoadState('load'), alice.click('form[action$="/url/new"] button')])
    // A URL typed wrong is removed with its own button (the rows share one form; the button sends its URL).
    await alice.fill('form[action$="/url/new"] [name=url]', 'ftp://mirror.alice.example.edu/typo')
    await Promise.all([alice.waitForLoadState('load'), alice.click('form[action$="/url/new"] button')])
    t.equal(await alice.locator('form[action$="/url/delete"] button').count(), 3)
    await Promise.all([alice.waitForLoadState('load'), alice.click('form[action$="/url/delete"] button[value="ftp://mirror.alice.example.edu/typo"]')])
    t.match(await alice.textContent('main'), /URL removed/)
    t.same(await alice.locator('form[action$="/url/delete"] button').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('value'))), ['https://mirror.alice.example.edu/fedora/linux', 'rsync://mirror.alice.example.edu/fedora-linux'], 'that one URL is gone, the others stay')
    await alice.fill('form[action$="/netblock/new"] [name=name]', `campus ${IMG}`)
    await alice.fill('form[action$="/netblock/new"] [name=value]', '198.51.100.0/24')
    await Promise.all([alice.waitForLoadState('load'), alice.click('form[action$="/netblock/new"] button')])
    // Too large for a user: refused next to the form, nothing added.
    await alice.fill('form[action$="/netblock/new"] [name=value]', '10.0.0.0/8')
    await Promise.all([alice.waitForLoadState('load'), alice.click('form[action$="/netblock/new"] button')])
    t.match(await alice.textContent('#netblock ~ .field-error'), /10\.0\.0\.0\/8 is larger than \/16/)
    await alice.goto(hostUrl)
    const hostText = (await alice.textContent('main'))!
    t.match(hostText, /Fedora Linux/)
    t.match(hostText, /https:\/\/mirror\.alice\.example\.edu\/fedora\/linux/)
    t.match(hostText, /rsync:\/\/mirror\.alice\.example\.edu\/fedora-linux/)
    t.match(hostText, /198\.51\.100\.0\/24/)
    t.match(hostText, new RegExp(`campus ${IMG.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), 'the hostile netblock name shows as text')
    t.notMatch(hostText, /10\.0\.0\.0\/8/)
    t.match(hostText, /host\.netblock\.add/, 'the change shows in the audit table')
    t.equal(await alice.locator('main img').count(), 0, 'no injected image element')
    await shot(alice, 'host', true)
    await alice.goto(siteUrl)
    t.match(await alice.textContent('main h1'), new RegExp(`Alice U ${SCRIPT.replace(/[/()]/g, '\\$&')}`))
    t.equal(await alice.locator('main script').count(), 0)
    await shot(alice, 'site', true)
    await alice.goto(`${base}/site/mine`)
    await shot(alice, 'site-mine', true)

    // Bob cannot see or change Alice's site: the page and a direct POST by id are 403.
    await bobSignUp(server, browser, base, t, siteUrl, hostUrl, hostId)

    // The admin sees everything and may add a /8.
    const root = await (await browser.newContext()).newPage()
    await logIn(root, base, 'root', 'root password')
    await root.goto(`${base}/admin/all_sites`)
    t.match(await root.textContent('main'), /Alice U <script>/)
    await shot(root, 'all-sites')
    await root.goto(hostUrl)
    await root.fill('form[action$="/netblock/new"] [name=value]', '10.0.0.0/8')
    await Promise.all([root.waitForLoadState('load'), root.click('form[action$="/netblock/new"] button')])
    t.match(await root.textContent('main'), /10\.0\.0\.0\/8/, 'accepted for the admin')

    // Logout ends the session: the old cookie no longer opens the site.
    const cookies = await alice.context().cookies()
    await Promise.all([alice.waitForLoadState('load'), alice.click('header form button')])
    t.match(await alice.textContent('main'), /You are logged out/)
    const replay = await (await browser.newContext())
    await replay.addCookies(cookies)
    const replayed = await replay.newPage()
    await replayed.goto(siteUrl)
    t.equal(new URL(replayed.url()).pathname, '/login', 'the old session cookie is dead')
    await shot(replayed, 'login')
    t.same(dialogs, [], 'no script ever ran')

    server.child.kill('SIGTERM')
    const [code] = await once(server.child, 'exit')
    t.equal(code, 0, 'SIGTERM drains and exits 0')

    // Sign-up when the SMTP server is down: the form comes back with the reason, nothing stored.
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const deadPort = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve)) // nobody listens there now
    const config = join(shots, `${kind}-dead-smtp.toml`)
    writeFileSync(config, `[web.mail]\nhost = "127.0.0.1"\nport = ${deadPort}\nstarttls = "never"\nfrom = "mm@example.org"\n`)
    const mailless = await startServeWeb(db, ['--config', config])
    t.teardown(async () => {
      if (mailless.child.exitCode === null) {
        mailless.child.kill('SIGTERM')
        await once(mailless.child, 'exit')
      }
    })
    const carol = await (await browser.newContext()).newPage()
    await carol.goto(`${mailless.url}/user/new`)
    await submit(carol, 'main form.stacked', { user_name: 'carol', email_address: 'carol@example.org', password: 'carol password', confirm_password: 'carol password' })
    t.match(await carol.textContent('main'), /The mail could not be sent just now, so nothing was changed/, 'the reason, with the form')
    t.equal(await carol.inputValue('[name=user_name]'), 'carol', 'what was typed is kept')
    await shot(carol, 'sign-up-mail-failed', true)
    t.comment(`screenshots in ${shots}`)
  })
}

async function bobSignUp(server: WebServer, browser: Browser, base: string, t: Test, siteUrl: string, hostUrl: string, hostId: string) {
  const bob = await (await browser.newContext()).newPage()
  await bob.goto(`${base}/user/new`)
  await submit(bob, 'main form.stacked', { user_name: 'bob', email_address: 'bob@example.org', password: 'bob password', confirm_password: 'bob password' })
  await bob.goto(mailedLink(server, '/confirm'))
  await logIn(bob, base, 'bob', 'bob password')
  t.notMatch(await bob.textContent('main'), /Alice U/, 'not among bob\'s sites')
  const page = await bob.goto(siteUrl)
  t.equal(page!.status(), 403)
  t.equal((await bob.goto(hostUrl))!.status(), 403)
  await bob.goto(`${base}/site/mine`)
  const csrf = await bob.inputValue('input[name=_csrf]')
  const post = await bob.context().request.post(`${hostUrl}/netblock/new`, { form: { _csrf: csrf, value: '203.0.113.0/24' }, maxRedirects: 0 })
  t.equal(post.status(), 403, 'a direct POST by id with bob\'s own valid token')
  const drop = await bob.context().request.post(`${base}/host/${hostId}/drop`, { form: { _csrf: csrf }, maxRedirects: 0 })
  t.equal(drop.status(), 403)
}

/** One request on a new connection (no keep-alive: the cluster spreads connections, not requests). */
function fresh(url: string, options: { method?: string; cookie?: string; form?: Record<string, string> } = {}) {
  return new Promise<{ status: number; body: string; cookies: string[]; location?: string }>((resolve, reject) => {
    const body = options.form ? new URLSearchParams(options.form).toString() : undefined
    const req = request(url, {
      method: options.method ?? 'GET',
      agent: false,
      headers: { connection: 'close', ...(options.cookie ? { cookie: options.cookie } : {}), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    }, (response) => {
      let text = ''
      response.setEncoding('utf8').on('data', (chunk) => (text += chunk)).on('end', () =>
        resolve({ status: response.statusCode!, body: text, cookies: (response.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]!), location: response.headers.location }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

if (databaseKinds().includes('postgres')) {
  t.test('postgres: serve-web --workers 2 — one port, sessions and /metrics across workers, SIGTERM drains', { timeout: 300_000 }, async (t) => {
    const db = await openTestDatabase('postgres')
    t.teardown(() => db.destroy())
    await db.disconnect()
    const added = await runCli(['user', 'add', 'alice', '--email', 'alice@example.org', '--password-stdin'], { env: db.env, input: 'alice password\n' })
    t.equal(added.status, 0, added.stderr)
    const server = await startServeWeb(db, ['--workers', '2'], 2)
    t.teardown(async () => {
      if (server.child.exitCode === null) {
        server.child.kill('SIGTERM')
        await once(server.child, 'exit')
      }
    })
    const base = server.url
    // signed out, CSRF is a double-submit cookie: the form and the POST may meet different workers
    const form = await fresh(`${base}/login`)
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]
    const login = await fresh(`${base}/login`, { method: 'POST', cookie: form.cookies.join('; '), form: { _csrf: csrf, username: 'alice', password: 'alice password' } })
    t.equal(login.status, 303, 'signed in')
    const session = login.cookies.find((c) => c.startsWith('mm_session='))!
    t.ok(session, 'a session cookie')
    const pages = await Promise.all(Array.from({ length: 8 }, () => fresh(`${base}/site/mine`, { cookie: session })))
    t.same(pages.map((p) => p.status), Array(8).fill(200), 'the session is known to every worker (it lives in the database)')
    t.ok(pages.every((p) => p.body.includes('alice')), 'signed in as alice on every connection')
    const metrics = (await fresh(`${base}/metrics`)).body
    t.match(metrics, /^mirrormanager_web_workers 2$/m, 'both workers reported')
    const perWorker = [...metrics.matchAll(/^mirrormanager_web_worker_requests_total\{worker="(\d+)"\} (\d+)$/gm)].map((m) => Number(m[2]))
    t.equal(perWorker.length, 2)
    t.ok(perWorker.every((n) => n > 0), `both workers answered requests on the one port (${perWorker.join(', ')})`)
    t.equal(perWorker.reduce((a, b) => a + b, 0), 10, 'the 10 requests before /metrics, summed over the workers')
    t.match(metrics, /^mirrormanager_web_requests_total\{route="\/site\/mine",status="2xx"\} 8$/m, 'per-route counts are summed')

    // drain: a POST whose body is still arriving when SIGTERM comes is answered in full
    const { port } = new URL(base)
    const socket = connect(Number(port), '127.0.0.1')
    let answer = ''
    socket.setEncoding('utf8').on('data', (chunk) => (answer += chunk))
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
    await until(() => answer.endsWith('ok\n'), 'the first answer on the kept-alive connection')
    answer = ''
    const body = 'username=alice&password=wrong'
    socket.write(`POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`)
    server.child.kill('SIGTERM')
    await until(() => [...server.log().matchAll(/finishing requests in flight/g)].length === 2, 'both workers to start draining')
    socket.write(body.slice(5))
    await until(() => /\r\n\r\n/.test(answer), 'the answer to the request in flight')
    t.match(answer, /^HTTP\/1\.1 403 /, 'the request in flight is handled (refused for its missing CSRF token), not cut off or answered 503')
    socket.destroy()
    const [code] = await once(server.child, 'exit')
    t.equal(code, 0, 'SIGTERM: the workers drain, the primary exits 0')
  })
}

t.test('embedded: serve-web --workers 2 is refused (one process holds the embedded database)', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mm-web-workers-'))
  const result = await runCli(['serve-web', '--workers', '2', '--port', '0'], { env: { MM_DATA_DIR: dataDir, DATABASE_URL: '' } })
  t.not(result.status, 0)
  t.match(result.stderr, /web\.workers: more than one worker needs a PostgreSQL server/)
})
