import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import t from 'tap'
import { listAudit } from '../../src/lib/audit/audit.js'
import { addCategory } from '../../src/lib/catalog/categories.js'
import { addProduct } from '../../src/lib/catalog/products.js'
import type { Sql } from '../../src/lib/db/sql.js'
import { ForbiddenError, ValidationError } from '../../src/lib/errors.js'
import { addHostEntry, addUrlToHost, createHost, editHost } from '../../src/lib/operations/hosts.js'
import { addAdminToSite, createSite, editSite, removeAdminFromSite } from '../../src/lib/operations/sites.js'
import { hostPage, sitePage } from '../../src/lib/operations/views.js'
import type { Actor } from '../../src/lib/permissions/can.js'
import { authenticate, confirmAccount, requestPasswordReset, resetPassword, signUp } from '../../src/lib/users/accounts.js'
import { createSession, findSession } from '../../src/lib/users/sessions.js'
import { consumeToken, issueToken } from '../../src/lib/users/tokens.js'
import { createMailer, type MailSettings } from '../../src/lib/users/mail.js'
import { addUser } from '../../src/lib/users/users.js'
import { databaseKinds, openTestDatabase } from '../helpers/database.js'
import { Client, startTestWeb } from '../helpers/web.js'
import { until } from '../helpers/until.js'

const alice: Actor = { username: 'alice', admin: false }
const bob: Actor = { username: 'bob', admin: false }
const root: Actor = { username: 'root', admin: true }

async function rows(sql: Sql, table: string): Promise<number> {
  const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from ${sql(table)}`
  return n
}

async function seedCatalog(sql: Sql) {
  await addProduct(sql, { name: 'Fedora' })
  await addCategory(sql, 'Fedora Linux', { product: 'Fedora', topdir: 'pub/fedora/linux' })
  await addCategory(sql, 'Fedora Secret', { product: 'Fedora', topdir: 'pub/secret', adminOnly: true })
}

const XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(2)>']

for (const kind of databaseKinds()) {
  t.test(`${kind}: accounts — sign-up, confirmation, sign-in, single-use expiring reset tokens, sessions`, async (t) => {
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    const sql = db.sql
    const form = { username: 'alice', email: 'alice@example.org', password: 'correct horse', confirmPassword: 'correct horse' }
    const refusedField = (p: Promise<unknown>) => p.then(() => 'accepted', (error: ValidationError) => error.field)
    t.equal(await refusedField(signUp(sql, { ...form, confirmPassword: 'other' })), 'confirmPassword')
    t.equal(await refusedField(signUp(sql, { ...form, password: 'short', confirmPassword: 'short' })), 'password')
    t.equal(await refusedField(signUp(sql, { ...form, username: 'a b' })), 'username')
    t.equal(await rows(sql, 'web_user'), 0, 'refused sign-ups change nothing')
    const created = await signUp(sql, form)
    if (created.kind !== 'created') throw new Error('not created')
    t.match(await signUp(sql, { ...form, username: 'alice2', email: 'ALICE@example.org' }), { kind: 'address-taken', username: 'alice' })
    t.match(await signUp(sql, { ...form, email: 'other@example.org' }), { kind: 'username-taken' })
    t.equal(await authenticate(sql, 'alice', 'correct horse'), undefined, 'unconfirmed: no sign-in')
    t.equal(await consumeToken(sql, created.token, 'reset'), undefined, 'a confirmation token is no reset token')
    t.match(await confirmAccount(sql, created.token), { username: 'alice', confirmed: true })
    t.equal(await confirmAccount(sql, created.token), undefined, 'single use')
    t.match(await authenticate(sql, 'alice', 'correct horse'), { username: 'alice' })
    t.equal(await authenticate(sql, 'alice', 'wrong horse'), undefined)
    t.equal(await authenticate(sql, 'nobody', 'correct horse'), undefined)
    const [{ passwordHash }] = await sql<{ passwordHash: string }[]>`select password_hash from web_user`
    t.match(passwordHash, /^scrypt\$/, 'scrypt, like site passwords')
    t.equal(await requestPasswordReset(sql, 'nobody@example.org'), undefined)
    const reset = (await requestPasswordReset(sql, 'Alice@Example.org'))!
    const [{ tokenHash }] = await sql<{ tokenHash: string }[]>`select token_hash from web_token`
    t.not(tokenHash, reset.token, 'tokens are stored hashed')
    const session = await createSession(sql, reset.user.id, { lifetimeSeconds: 3600 })
    t.match(await resetPassword(sql, reset.token, 'new password!', 'new password!'), { username: 'alice' })
    t.equal(await findSession(sql, session.id), undefined, 'a reset ends the sessions')
    t.equal(await resetPassword(sql, reset.token, 'again password', 'again password'), undefined, 'single use')
    t.match(await authenticate(sql, 'alice', 'new password!'), { username: 'alice' })
    const old = await issueToken(sql, reset.user.id, 'reset', new Date(Date.now() - 2 * 3600_000))
    t.equal(await consumeToken(sql, old, 'reset'), undefined, 'expired after an hour')
    const expired = await createSession(sql, reset.user.id, { lifetimeSeconds: 60, now: new Date(Date.now() - 120_000) })
    t.equal(await findSession(sql, expired.id), undefined, 'expired session')
    t.equal(await findSession(sql, 'x'.repeat(43)), undefined)
  })

  t.test(`${kind}: operations — permissions, admin-only fields, netblock limit, audit, access lost on removal`, async (t) => {
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    const sql = db.sql
    await seedCatalog(sql)
    const site = await createSite(sql, alice, 'Alice U', { orgUrl: 'https://alice.example', adminActive: false, password: 'report-password' }, { addCreatorAsAdmin: true })
    t.match(site, { createdBy: 'alice', admins: ['alice'], adminActive: true, hasPassword: true }, 'admin_active is not the user\'s to set')
    const host = await createHost(sql, alice, site.id, 'mirror.alice.example', { country: 'de', bandwidth: '100', asn: '64500', internet2: true })
    t.match(host, { country: 'DE', asn: null, internet2: false }, 'ASN and Internet2 are admin-only')
    const before = await rows(sql, 'host')
    await t.rejects(createHost(sql, bob, site.id, 'evil.example', { country: 'DE' }), ForbiddenError)
    await t.rejects(editSite(sql, bob, site.id, { name: 'Bob U' }), ForbiddenError)
    await t.rejects(addHostEntry(sql, bob, host.id, 'netblock', '192.0.2.0/24'), ForbiddenError)
    await t.rejects(hostPage(sql, bob, host.id), ForbiddenError)
    t.equal(await rows(sql, 'host'), before, 'refused: nothing changed')
    await t.rejects(addHostEntry(sql, alice, host.id, 'netblock', '10.0.0.0/15'), ValidationError, '/15 refused for a user')
    t.match(await addHostEntry(sql, alice, host.id, 'netblock', '10.0.0.0/16', 'campus'), { value: '10.0.0.0/16', name: 'campus' }, '/16 passes')
    t.match(await addHostEntry(sql, root, host.id, 'netblock', '10.2.0.0/15'), { value: '10.2.0.0/15' }, 'admins may add /15')
    await t.rejects(addHostEntry(sql, alice, host.id, 'netblock', '2001:db8::/31'), ValidationError)
    await t.rejects(addHostEntry(sql, alice, host.id, 'peer-asn', '64501'), ForbiddenError, 'peer ASNs are admin-only')
    await t.rejects(addUrlToHost(sql, alice, host.id, 'Fedora Linux', 'https://mirror.alice.example/fedora', { private: true }), ForbiddenError)
    await addUrlToHost(sql, alice, host.id, 'Fedora Linux', 'https://mirror.alice.example/fedora/')
    await t.rejects(addUrlToHost(sql, alice, host.id, 'Fedora Secret', 'https://mirror.alice.example/secret'), ForbiddenError, 'admin-only category')
    const page = await hostPage(sql, alice, host.id)
    t.match(page.categories, [{ category: 'Fedora Linux', urls: [{ url: 'https://mirror.alice.example/fedora' }] }])
    t.same(page.addableCategories.map((c) => c.name), [], 'admin-only categories are not offered to users')
    t.same((await hostPage(sql, root, host.id)).addableCategories.map((c) => c.name), ['Fedora Secret'])
    t.match(await editHost(sql, root, host.id, { asn: '64500' }), { asn: 64500 })
    t.match(await editHost(sql, alice, host.id, { asn: '', adminActive: false, bandwidth: '200' }), { asn: 64500, adminActive: true, bandwidth: 200 })

    await addAdminToSite(sql, alice, site.id, 'bob')
    t.ok(await sitePage(sql, bob, site.id), 'bob is an admin now')
    await removeAdminFromSite(sql, alice, site.id, 'bob')
    await t.rejects(sitePage(sql, bob, site.id), ForbiddenError, 'a removed admin loses access at once')
    await t.rejects(removeAdminFromSite(sql, alice, site.id, 'alice'), { code: 'MM_CONFLICT' }, 'the last admin stays')

    const audit = await listAudit(sql, { siteId: site.id })
    t.same(audit.map((a) => a.action).reverse(), [
      'site.create', 'host.create', 'host.netblock.add', 'host.netblock.add', 'host.url.add', 'host.edit', 'host.edit', 'site.admin.add', 'site.admin.remove',
    ])
    t.match(audit.find((a) => a.actor === 'root' && a.action === 'host.edit'), { before: { asn: null }, after: { asn: 64500 } })
  })

  t.test(`${kind}: serve-web over HTTP — CSRF, rate limit, session expiry, 403 by id, escaping, API`, async (t) => {
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    const sql = db.sql
    await seedCatalog(sql)
    const web = await startTestWeb(sql, { loginAttemptsPerMinute: 5 })
    t.teardown(() => web.app.close())
    const a = new Client(web.app, '192.0.2.1')
    await a.signUpAndLogIn(web, 'alice')
    t.equal((await a.get('/site/mine')).status, 200)

    // CSRF: without the token nothing changes, 403.
    await a.get('/site/new')
    const noToken = await a.post('/site/new', { _csrf: '', name: 'Sneaky', org_url: 'https://sneaky.example' })
    t.equal(noToken.status, 403)
    const wrongToken = await a.post('/site/new', { _csrf: 'x'.repeat(43), name: 'Sneaky', org_url: 'https://sneaky.example' })
    t.equal(wrongToken.status, 403)
    t.equal(await rows(sql, 'site'), 0, 'no site from a forged form')

    // A form that is refused shows the error next to the field, keeps the typed values, changes nothing.
    await a.get('/site/new')
    const refused = await a.post('/site/new', { name: XSS[0], org_url: 'not a url' })
    t.equal(refused.status, 200)
    t.match(refused.body, /class="field-error"[^>]*>org-url: &quot;not a url&quot; is not a URL/)
    t.match(refused.body, /value="&lt;script&gt;alert\(1\)&lt;\/script&gt;"/)
    t.equal(await rows(sql, 'site'), 0)

    // XSS strings in site, host, URL and netblock names render as text.
    const created = await a.post('/site/new', { name: XSS[0], org_url: 'https://alice.example', user_active: 'on' })
    t.equal(created.status, 303)
    const siteId = Number(/\/site\/(\d+)/.exec(created.location!)![1])
    await a.get(`/host/${siteId}/new`)
    const hostAdded = await a.post(`/host/${siteId}/new`, { name: 'mirror.alice.example', country: 'de', bandwidth_int: '100', max_connections: '1' })
    const hostId = Number(/\/host\/(\d+)/.exec(hostAdded.location!)![1])
    await a.get(`/host/${hostId}`)
    await a.post(`/host/${hostId}/netblock/new`, { name: XSS[1], value: '192.0.2.0/24' })
    await a.post(`/host/${hostId}/category/new`, { category: 'Fedora Linux' })
    const badUrl = await a.post(`/host/${hostId}/url/new`, { category: 'Fedora Linux', url: `https://x.example/${XSS[1]}?q` })
    t.match(badUrl.body, /class="field-error">url: &quot;https:\/\/x.example\/&quot;&gt;&lt;img/, 'a refused URL is echoed escaped')
    await a.post(`/host/${hostId}/url/new`, { category: 'Fedora Linux', url: 'rsync://mirror.alice.example/fedora/' })
    const hostView = await a.get(`/host/${hostId}`)
    for (const page of [hostView.body, badUrl.body, (await a.get(`/site/${siteId}`)).body, (await a.get('/site/mine')).body]) {
      t.notMatch(page, /<script>alert|<img src=x/, 'no injected markup')
    }
    t.match(hostView.body, /&quot;&gt;&lt;img src=x onerror=alert\(2\)&gt;/)
    t.match(hostView.body, /rsync:\/\/mirror\.alice\.example\/fedora/)
    t.match(hostView.body, /host\.netblock\.add/, 'the host page shows the audit')

    // Another user: 403 for the page and for a direct POST by id; nothing changes.
    const b = new Client(web.app, '192.0.2.2')
    await b.signUpAndLogIn(web, 'bob')
    for (const path of [`/site/${siteId}`, `/host/${hostId}`, `/host/${hostId}/drop`, `/site/${siteId}/drop`, `/crawler/${hostId}.log`]) {
      t.equal((await b.get(path)).status, 403, `GET ${path}`)
    }
    await b.get('/site/mine')
    for (const [path, form] of [
      [`/site/${siteId}`, { name: 'Taken', org_url: 'https://bob.example' }],
      [`/site/${siteId}/drop`, {}],
      [`/host/${hostId}/netblock/new`, { value: '198.51.100.0/24' }],
      [`/host/${hostId}/netblock/delete`, { value: '192.0.2.0/24' }],
      [`/host/${hostId}/drop`, {}],
      [`/site/${siteId}/admin/new`, { username: 'bob' }],
    ] as const) {
      t.equal((await b.post(path, form)).status, 403, `POST ${path}`)
    }
    t.equal(await rows(sql, 'host_netblock'), 1)
    t.equal(await rows(sql, 'site_admin'), 1)
    t.equal((await b.get('/admin/all_sites')).status, 403)
    t.equal((await b.get('/host/99999')).status, 404)
    t.equal((await b.get('/host/abc')).status, 404, 'a non-numeric id is a 404, not a 500')

    // Session expiry and logout.
    await sql`update web_session set expires_at = now() - interval '1 second' where user_id = (select id from web_user where username = 'bob')`
    const expired = await b.get('/site/mine')
    t.equal(expired.status, 303)
    t.match(expired.location, /^\/login\?next=%2Fsite%2Fmine$/)
    await a.get('/site/mine')
    t.equal((await a.post('/logout')).status, 303)
    t.equal((await a.get('/site/mine')).status, 303, 'logged out')
    t.equal(await rows(sql, 'web_session'), 1, 'the ended session is gone (bob\'s expired one remains until purged)')

    // Login: the same answer for an unknown user and a wrong password; rate-limited per address.
    const c = new Client(web.app, '198.51.100.7')
    const unknown = await c.logIn('nobody', 'whatever pass')
    const wrong = await c.logIn('alice', 'wrong password')
    t.equal(unknown.status, 401)
    t.equal(wrong.status, 401)
    const message = (body: string) => /role="alert">([^<]*)</.exec(body)?.[1]
    t.equal(message(unknown.body), message(wrong.body))
    let last = wrong
    for (let i = 0; i < 4; i++) last = await c.logIn('alice', 'wrong password')
    t.equal(last.status, 429, 'the sixth attempt in a minute is refused')
    t.equal((await new Client(web.app, '198.51.100.8').logIn('alice', 'correct horse battery')).status, 303, 'another address is not limited')
    t.equal((await c.get('/login')).status, 200, 'only POST /login is limited')

    // Sign-up and reset do not tell whether an account exists.
    const d = new Client(web.app, '198.51.100.9')
    await d.get('/user/new')
    const taken = await d.post('/user/new', { user_name: 'alice', email_address: 'new@example.org', password: 'long enough', confirm_password: 'long enough' })
    await d.get('/user/new')
    const fresh = await d.post('/user/new', { user_name: 'carol', email_address: 'carol@example.org', password: 'long enough', confirm_password: 'long enough' })
    t.equal(taken.body.replace(/name="_csrf" value="[^"]+"/g, ''), fresh.body.replace(/name="_csrf" value="[^"]+"/g, ''), 'the same page for a taken and a free username')
    await d.get('/password/lost')
    const lostKnown = await d.post('/password/lost', { account: 'alice' })
    await d.get('/password/lost')
    const lostUnknown = await d.post('/password/lost', { account: 'nobody' })
    t.equal(lostKnown.body.replace(/name="_csrf" value="[^"]+"/g, ''), lostUnknown.body.replace(/name="_csrf" value="[^"]+"/g, ''))

    // An admin sees and changes everything.
    await addUser(sql, 'root', { email: 'root@example.org', password: 'root password', admin: true, confirmed: true })
    const r = new Client(web.app, '192.0.2.9')
    await r.logIn('root', 'root password')
    t.match((await r.get('/admin/all_sites')).body, /&lt;script&gt;alert\(1\)/)
    await r.get(`/host/${hostId}`)
    t.equal((await r.post(`/host/${hostId}/netblock/new`, { value: '10.0.0.0/8' })).status, 303, 'an admin may add a /8')

    // Security headers; no stack traces.
    const headers = (await new Client(web.app).get('/login')).headers
    t.match(headers['content-security-policy'], /script-src 'self'/)
    t.notMatch(headers['content-security-policy'], /unsafe-inline/)
    t.equal(headers['x-frame-options'], 'DENY')
    t.equal(headers['referrer-policy'], 'same-origin')
    t.match(String(headers['set-cookie'] ?? ''), /HttpOnly; SameSite=Lax/)

    // MirrorManager2's JSON API.
    const api = async (url: string) => {
      const response = await web.app.inject({ url })
      return { status: response.statusCode, json: response.json() }
    }
    t.same(await api('/api/mirroradmins'), { status: 200, json: { admins: ['alice'], total: 1 } })
    t.same(await api('/api/mirroradmins?name=mirror.alice.example'), { status: 200, json: { admins: ['alice'], total: 1 } })
    t.same(await api('/api/mirroradmins?name=nope'), { status: 400, json: { message: 'No host or site found for nope' } })
    t.same(await api('/api/repositories'), { status: 200, json: { repositories: [], total: 0 } })
    t.equal((await web.app.inject({ url: '/healthz' })).statusCode, 200)
    t.match((await web.app.inject({ url: '/metrics' })).body, /mirrormanager_web_requests_total\{route="\/login",status="2xx"\} \d+/)
  })
}

t.test('serve-web under --base-path: every link and redirect carries the prefix; next= cannot leave the site', async (t) => {
  const db = await openTestDatabase('embedded')
  t.teardown(() => db.destroy())
  const web = await startTestWeb(db.sql, { basePath: '/mirrormanager', publicUrl: 'http://mm.test/mirrormanager' })
  t.teardown(() => web.app.close())
  const a = new Client(web.app)
  const redirect = await a.get('/mirrormanager/site/mine')
  t.equal(redirect.location, '/mirrormanager/login?next=%2Fmirrormanager%2Fsite%2Fmine')
  const login = await a.get('/mirrormanager/login?next=//evil.example/')
  t.match(login.body, /action="\/mirrormanager\/login"/)
  t.match(login.body, /href="\/mirrormanager\/static\/mirrormanager\.css"/)
  await addUser(db.sql, 'alice', { email: 'a@example.org', password: 'long enough', confirmed: true })
  const done = await a.post('/mirrormanager/login', { username: 'alice', password: 'long enough', next: '//evil.example/' })
  t.equal(done.location, '/mirrormanager/site/mine', 'an outside next= goes to the user\'s sites instead')
  t.equal((await a.get('/site/mine')).status, 404)
})

/**
 * A tiny OpenID provider on 127.0.0.1 for the test (a test peer, not product code): it
 * publishes its discovery document and keys, and exchanges a code for an RS256-signed ID
 * token, checking the PKCE verifier.
 */
async function startOidcProvider(claims: Record<string, unknown>) {
  const { createServer } = await import('node:http')
  const { createHash, generateKeyPairSync, sign } = await import('node:crypto')
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' }
  const codes = new Map<string, { challenge: string; nonce: string }>()
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  let issuer = ''
  const server = createServer(async (request, response) => {
    const url = new URL(request.url!, issuer)
    let body = ''
    for await (const chunk of request) body += chunk
    const json = (status: number, value: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value))
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
      })
    }
    if (url.pathname === '/jwks') return json(200, { keys: [jwk] })
    if (url.pathname === '/token') {
      const form = new URLSearchParams(body)
      const code = codes.get(form.get('code') ?? '')
      const verifier = form.get('code_verifier') ?? ''
      if (!code || createHash('sha256').update(verifier).digest('base64url') !== code.challenge) return json(400, { error: 'invalid_grant' })
      const now = Math.floor(Date.now() / 1000)
      const header = b64({ alg: 'RS256', typ: 'JWT', kid: 'k1' })
      const payload = b64({ iss: issuer, sub: 'user-1', aud: 'mm-client', iat: now, exp: now + 300, nonce: code.nonce, ...claims })
      const signature = sign('sha256', Buffer.from(`${header}.${payload}`), privateKey).toString('base64url')
      return json(200, { access_token: 'at', token_type: 'Bearer', expires_in: 300, id_token: `${header}.${payload}.${signature}` })
    }
    json(404, {})
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  return {
    issuer,
    /** What the provider does after the user agreed: a code bound to the request's PKCE challenge and nonce. */
    authorize(location: string): string {
      const request = new URL(location)
      const code = `code-${codes.size + 1}`
      codes.set(code, { challenge: request.searchParams.get('code_challenge')!, nonce: request.searchParams.get('nonce')! })
      return `/oidc/callback?code=${code}&state=${request.searchParams.get('state')}`
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

t.test('OIDC sign-in: code flow with PKCE against a local provider; groups in web.admin_group make an admin', async (t) => {
  const db = await openTestDatabase('embedded')
  t.teardown(() => db.destroy())
  const provider = await startOidcProvider({ nickname: 'fasuser', email: 'fas@example.org', groups: ['packager', 'sysadmin-main'] })
  t.teardown(() => provider.close())
  const oidc = { issuer: provider.issuer, clientId: 'mm-client', clientSecret: 'secret', usernameClaim: 'nickname', groupsClaim: 'groups', scopes: 'openid email profile' }
  const web = await startTestWeb(db.sql, { oidc })
  t.teardown(() => web.app.close())
  const a = new Client(web.app)
  t.match((await a.get('/login')).body, /href="\/oidc\/login\?next=/, 'the login page offers the provider')
  const start = await a.get('/oidc/login?next=%2Fadmin%2Fall_sites')
  t.equal(start.status, 303)
  t.match(start.location, new RegExp(`^${provider.issuer}/authorize\\?`))
  const location = new URL(start.location!)
  t.equal(location.searchParams.get('code_challenge_method'), 'S256')
  t.equal(location.searchParams.get('redirect_uri'), 'http://mm.test/oidc/callback')

  const forged = new Client(web.app)
  t.equal((await forged.get(provider.authorize(start.location!))).status, 400, 'a callback this browser did not start is refused')

  const done = await a.get(provider.authorize(start.location!))
  t.equal(done.status, 303)
  t.equal(done.location, '/admin/all_sites')
  t.equal((await a.get('/admin/all_sites')).status, 200, 'sysadmin-main members are admins')
  t.match((await a.get('/site/mine')).body, /fasuser/)

  const replay = await a.get(provider.authorize(start.location!).replace(/code-\d+/, 'code-1'))
  t.equal(replay.status, 400, 'the pending sign-in is used once')
})

/**
 * A real SMTP server on 127.0.0.1 for the test (a test peer): Debian's python3-aiosmtpd on
 * a port the kernel picks, with AUTH PLAIN/LOGIN for one user and password (offered
 * without TLS, as a test may), refusing any recipient "refused@..." with 550. Each mail
 * it accepts arrives here as { from, to, data, login }. With `hold`, it answers no mail's
 * DATA until the test calls release() (one mail each). With `cert` and `key` (PEM files),
 * it offers STARTTLS with that certificate and refuses MAIL before it (530).
 */
const SMTP_PEER = `
import asyncio, json, logging, ssl, sys, warnings
warnings.simplefilter('ignore')
logging.disable(logging.CRITICAL)
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
user, password = sys.argv[1].encode(), sys.argv[2].encode()
options = json.loads(sys.argv[3])
hold = options.get('hold', False)
released = asyncio.Semaphore(0)
tls = None
if options.get('cert'):
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(options['cert'], options['key'])
class Handler:
    async def handle_RCPT(self, server, session, envelope, address, options):
        if address.startswith('refused@'):
            return '550 5.1.1 mailbox unavailable'
        envelope.rcpt_tos.append(address)
        return '250 OK'
    async def handle_DATA(self, server, session, envelope):
        if hold:
            await released.acquire()  # one line on stdin lets one mail through
        login = session.auth_data.login.decode() if session.authenticated else None
        print(json.dumps({'from': envelope.mail_from, 'to': envelope.rcpt_tos, 'data': envelope.content.decode('utf-8', 'replace'), 'login': login}), flush=True)
        return '250 OK'
def authenticator(server, session, envelope, mechanism, data):
    ok = isinstance(data, LoginPassword) and data.login == user and data.password == password
    return AuthResult(success=ok, handled=False, auth_data=data)
async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(Handler(), authenticator=authenticator, auth_required=True, auth_require_tls=False, tls_context=tls, require_starttls=tls is not None, loop=loop), '127.0.0.1', 0)
    print(json.dumps({'port': server.sockets[0].getsockname()[1]}), flush=True)
    while await loop.run_in_executor(None, sys.stdin.readline):  # until the test closes stdin (or dies)
        released.release()
asyncio.run(main())
`

interface Received {
  from: string
  to: string[]
  data: string
  login: string | null
}

async function startSmtpPeer(user: string, password: string, options: { hold?: boolean; cert?: string; key?: string } = {}) {
  const child = spawn('/usr/bin/python3', ['-c', SMTP_PEER, user, password, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'inherit'] })
  const received: Received[] = []
  const waiting: ((mail: Received) => void)[] = []
  const lines = createInterface({ input: child.stdout! })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the SMTP peer exited (${code}): is python3-aiosmtpd installed?`)))
    lines.on('line', (line) => {
      const message = JSON.parse(line) as Received & { port?: number }
      if (message.port) return resolve(message.port)
      const waiter = waiting.shift()
      if (waiter) waiter(message)
      else received.push(message)
    })
  })
  return {
    port,
    /** The next mail the server accepted (waits for it, 20 s at most). */
    next: () => new Promise<Received>((resolve, reject) => {
      if (received.length) return resolve(received.shift()!)
      const timer = setTimeout(() => reject(new Error('no mail reached the SMTP server in 20 s')), 20_000)
      waiting.push((mail) => (clearTimeout(timer), resolve(mail)))
    }),
    pending: () => received.length,
    release: () => void child.stdin!.write('release\n'),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.stdin!.end()
      child.kill()
      await exited
    },
  }
}

/** Header block of a received mail, folded lines unfolded. */
function headersOf(data: string): string[] {
  return data.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)
}

/** The text body of a received mail (nodemailer sends long lines quoted-printable). */
function bodyOf(data: string): string {
  const body = data.slice(data.search(/\r?\n\r?\n/)).trim()
  if (!/^Content-Transfer-Encoding: quoted-printable$/im.test(data)) return body
  const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
  return Buffer.from(bytes, 'latin1').toString('utf8')
}

for (const kind of databaseKinds()) {
  t.test(`${kind}: serve-web mail through a real SMTP server — confirmation and reset links work, no header injection, a refusing or absent server changes nothing`, async (t) => {
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    const sql = db.sql
    const smtp = await startSmtpPeer('mm-mailer', 'smtp secret')
    t.teardown(() => smtp.stop())
    const web = await startTestWeb(sql)
    t.teardown(() => web.app.close())
    const log: string[] = []
    const logger = { error: (m: string) => log.push(`error ${m}`), warn: (m: string) => log.push(`warn ${m}`), info: (m: string) => log.push(`info ${m}`), debug() {} }
    const settings: MailSettings = { host: '127.0.0.1', port: smtp.port, secure: false, starttls: 'auto', user: 'mm-mailer', password: 'smtp secret', from: 'MirrorManager <mm@example.org>' }
    // as serve-web wires it (src/http/web/server.ts): the mailer of [web.mail], the same logger
    const useMail = (overrides: Partial<MailSettings>) => (web.context.sendMail = createMailer({ ...settings, ...overrides }, logger))
    web.context.logger = logger
    useMail({})
    const users = async () => (await sql<{ username: string; confirmed: boolean }[]>`select username, confirmed from web_user order by username`).map((u) => `${u.username}:${u.confirmed}`)
    const a = new Client(web.app, '192.0.2.31')
    const signUp = async (client: Client, username: string, email: string) => {
      await client.get('/user/new')
      return client.post('/user/new', { user_name: username, email_address: email, password: 'correct horse battery', confirm_password: 'correct horse battery' })
    }

    // Sign-up: the envelope, the headers, and a confirmation link that confirms.
    t.equal((await signUp(a, 'alice', 'alice@example.org')).status, 200)
    const confirmation = await smtp.next()
    t.equal(confirmation.from, 'mm@example.org', 'envelope sender: the address of web.mail.from')
    t.same(confirmation.to, ['alice@example.org'], 'envelope recipient')
    t.equal(confirmation.login, 'mm-mailer', 'the server saw AUTH with web.mail.user')
    const headers = headersOf(confirmation.data)
    t.ok(headers.includes('Subject: Confirm your MirrorManager account'))
    t.ok(headers.includes('From: MirrorManager <mm@example.org>'))
    t.ok(headers.includes('To: alice@example.org'))
    t.same(headers.filter((h) => /^(to|cc|bcc):/i.test(h)), ['To: alice@example.org'], 'one recipient header')
    const link = /http:\/\/mm\.test(\/confirm\/[A-Za-z0-9_-]+)/.exec(bodyOf(confirmation.data))
    t.ok(link, 'the mail holds the confirmation link')
    t.same(await users(), ['alice:false'])
    t.equal((await a.get(link![1])).status, 303)
    t.same(await users(), ['alice:true'], 'following the mailed link confirms the account')
    t.equal((await a.logIn('alice', 'correct horse battery')).status, 303)

    // CR/LF in what a user types never reaches a header: refused at the form, nothing sent.
    const e = new Client(web.app, '192.0.2.32')
    const injected = await signUp(e, 'eve', 'eve@example.org\r\nBcc: victim@example.org')
    t.match(injected.body, /class="field-error"[^>]*>email: /, 'an address with a line break is refused next to the field')
    t.equal((await signUp(e, 'eve\r\nBcc: victim@example.org', 'eve@example.org')).status, 200)
    await t.rejects(web.context.sendMail({ to: 'x@example.org\r\nBcc: victim@example.org', subject: 's', text: 't' }), { code: 'MM_INVALID_INPUT' }, 'the mailer refuses a header with a line break itself')
    t.same(await users(), ['alice:true'], 'no account from the injected forms')

    // Password reset: the mail goes to the account's address and its link sets the password.
    const r = new Client(web.app, '192.0.2.33')
    await r.get('/password/lost')
    t.equal((await r.post('/password/lost', { account: 'alice' })).status, 200)
    const resetMail = await smtp.next()
    t.same(resetMail.to, ['alice@example.org'])
    t.ok(headersOf(resetMail.data).includes('Subject: Set a new MirrorManager password'))
    const resetLink = /http:\/\/mm\.test(\/password\/reset\/[A-Za-z0-9_-]+)/.exec(bodyOf(resetMail.data))![1]
    await r.get(resetLink)
    t.equal((await r.post(resetLink, { password: 'a new password', confirm_password: 'a new password' })).status, 303)
    t.equal((await r.logIn('alice', 'a new password')).status, 303, 'the reset link from the mail worked')
    t.equal(smtp.pending(), 0, 'no other mail was sent (not for eve either)')

    // The reset answer does not wait for the mail (its time would tell that the account
    // exists): with the SMTP server holding the mail, the answer comes, then the mail.
    const held = await startSmtpPeer('mm-mailer', 'smtp secret', { hold: true })
    t.teardown(() => held.stop())
    useMail({ port: held.port })
    log.length = 0
    await r.get('/password/lost')
    t.equal((await r.post('/password/lost', { account: 'alice' })).status, 200)
    t.equal(held.pending(), 0, 'answered while the SMTP server still holds the mail')
    held.release()
    t.same((await held.next()).to, ['alice@example.org'], 'the mail follows the answer')
    await until(() => log.some((line) => line === 'info mail sent to alice@example.org: Set a new MirrorManager password'), 'the mailer logs the mail as sent')
    t.notMatch(log.join('\n'), /not sent/, 'and it was sent (a request that had waited for it would have timed out)')
    await held.stop()

    // STARTTLS to a server whose certificate a private CA signed ([web.mail] ca_file): the
    // server refuses MAIL before STARTTLS, so a delivered mail went over TLS; the certificate
    // is checked (without ca_file the mail is not sent), and a ca_file that is not one stops serve-web.
    const pki = mkdtempSync(join(tmpdir(), 'mm-smtp-tls-'))
    t.teardown(() => rmSync(pki, { recursive: true, force: true }))
    const [cert, key] = [join(pki, 'cert.pem'), join(pki, 'key.pem')]
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' })
    const secured = await startSmtpPeer('mm-mailer', 'smtp secret', { cert, key })
    t.teardown(() => secured.stop())
    const probe = { to: 'alice@example.org', subject: 'Over TLS', text: 'x' }
    await createMailer({ ...settings, port: secured.port, starttls: 'required', caFile: cert }, logger)(probe)
    t.match(await secured.next(), { to: ['alice@example.org'], login: 'mm-mailer' }, 'STARTTLS with the private CA of ca_file: the mail is delivered')
    await t.rejects(createMailer({ ...settings, port: secured.port, starttls: 'auto' }, logger)(probe), { code: 'MM_MAIL_NOT_SENT', message: /certificate/ }, 'without ca_file the certificate is refused')
    await t.rejects(createMailer({ ...settings, port: secured.port, starttls: 'never' }, logger)(probe), { code: 'MM_MAIL_NOT_SENT', message: /refused: 530/ }, 'and the server takes no mail without STARTTLS')
    t.throws(() => createMailer({ ...settings, caFile: key }, logger), { code: 'MM_CONFIG_INVALID', message: /web\.mail\.ca_file: .* holds no PEM certificate/ })
    t.throws(() => createMailer({ ...settings, caFile: join(pki, 'missing.pem') }, logger), { code: 'MM_CONFIG_INVALID', message: /web\.mail\.ca_file: cannot read/ })
    t.equal(secured.pending(), 0)
    await secured.stop()

    // The server refuses (recipient 550, wrong AUTH password, STARTTLS required but not
    // offered) or is gone: the person sees a plain message with the form, the log says
    // why, no stack trace, and nothing stays behind — they can simply try again.
    const refusedCases = [
      ['recipient refused', {}, 'refused', 'refused@example.org', /refused: 550 5\.1\.1 mailbox unavailable/],
      ['wrong SMTP password', { password: 'wrong' }, 'dave', 'dave@example.org', /refused: 535/],
      ["STARTTLS required, not offered", { starttls: "required" as const }, "dave", "dave@example.org", /refused: 454 TLS not available/],
    ] as const
    for (const [what, overrides, username, email, logged] of refusedCases) {
      useMail(overrides)
      log.length = 0
      const answer = await signUp(new Client(web.app, '192.0.2.34'), username, email)
      t.equal(answer.status, 503, `${what}: 503`)
      t.match(answer.body, /role="alert">The mail could not be sent just now, so nothing was changed/, `${what}: a plain message`)
      t.match(answer.body, new RegExp(`value="${username}"`), `${what}: the form keeps what was typed`)
      t.notMatch(answer.body, /MailNotSentError|at .*\.js:\d+|535|550/, `${what}: no error details to the browser`)
      t.match(log.join('\n'), /^error serve-web: POST \/user\/new: mail to .* not sent: SMTP server 127\.0\.0\.1:\d+ /m, `${what}: logged`)
      t.match(log.join('\n'), logged, `${what}: the log says why`)
      t.same(await users(), ['alice:true'], `${what}: no half-made account`)
    }
    useMail({})
    t.equal((await signUp(new Client(web.app, '192.0.2.35'), 'dave', 'dave@example.org')).status, 200, 'once mail works, the same sign-up succeeds')
    t.same((await smtp.next()).to, ['dave@example.org'])

    await smtp.stop()
    log.length = 0
    const tokensBefore = await rows(sql, 'web_token')
    await r.get('/password/lost')
    const down = await r.post('/password/lost', { account: 'alice' })
    const unknown = await r.post('/password/lost', { account: 'nobody-here' })
    t.equal(down.status, 200, 'SMTP server down: the page an unknown account gets too (no enumeration)')
    t.equal(down.body.replace(/name="_csrf" value="[^"]*"/g, ''), unknown.body.replace(/name="_csrf" value="[^"]*"/g, ''), 'the same answer as for an account that does not exist')
    await until(async () => (await rows(sql, 'web_token')) === tokensBefore, 'the unsent reset token is withdrawn')
    t.match(log.join('\n'), /^error MM_MAIL_NOT_SENT: mail to alice@example\.org .* unreachable: .*ECONNREFUSED/m, 'the log says the server was unreachable')
    t.pass('no reset token stays behind')
    t.equal(smtp.pending(), 0)
  })
}
