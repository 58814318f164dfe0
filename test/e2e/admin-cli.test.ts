/**
 * The admin commands end to end: spawn the CLI on a fresh database (cliDatabaseKind) and go
 * through the happy path of the catalog, site, repository and geo command families,
 * checking table output for people and the --json shapes scripts rely on.
 * (Hosts: admin-cli-hosts.test.ts; rejections: admin-cli-validation.test.ts.)
 */
import t from 'tap'
import { resolveConfig } from '../../src/lib/config/resolve.js'
import { COMMAND_MIGRATIONS, openDatabase } from '../../src/lib/db/connect.js'
import { verifyPassword } from '../../src/lib/sites/password.js'
import { cliRunner } from '../helpers/admin.js'
import { cliDatabaseKind, openTestDatabase } from '../helpers/database.js'

// Each spawn starts node and oclif (and, on the embedded database, PGlite: ~2 s of CPU):
// on a busy machine this file needs more than the default per-file timeout.
t.setTimeout(900_000)
const db = await openTestDatabase(cliDatabaseKind())
await db.disconnect()
t.teardown(() => db.destroy())
const env = db.env

t.test('product, version, arch, category', async (t) => {
  const mm = cliRunner(t, env)
  t.same((await mm(['product', 'add', 'Fedora', '--json'])).json, { id: 1, name: 'Fedora', publiclist: true })
  t.same((await mm(['product', 'add', 'Scratch', '--no-publiclist', '--json'])).json, { id: 2, name: 'Scratch', publiclist: false })
  t.match((await mm(['product', 'show', 'Scratch'])).stdout, /^id\s+2\nname\s+Scratch\npubliclist\s+no$/m)
  t.same((await mm(['product', 'remove', 'Scratch', '--json'])).json, { removed: { id: 2, name: 'Scratch', publiclist: false } })

  const version = (await mm(['version', 'add', '41', '--product', 'Fedora', '--display-name', 'Fedora 41', '--sortorder', '41', '--codename', 'f41', '--json'])).json
  t.same(version, { id: 1, product: 'Fedora', name: '41', isTest: false, display: true, displayName: 'Fedora 41', orderedMirrorlist: false, sortorder: 41, codename: 'f41' })
  await mm(['version', 'add', '42', '--product', 'Fedora', '--is-test', '--ordered-mirrorlist'])
  t.same((await mm(['version', 'list', '--product', 'Fedora', '--json'])).json.map((v: { name: string }) => v.name), ['41', '42'], 'sortorder desc, then name')
  t.match((await mm(['version', 'update', '42', '--product', 'Fedora', '--no-is-test', '--sortorder', '42', '--json'])).json, { isTest: false, sortorder: 42, orderedMirrorlist: true })

  await mm(['arch', 'add', 'loongarch64', '--primary-arch'])
  t.match((await mm(['arch', 'show', 'loongarch64', '--json'])).json, { name: 'loongarch64', primaryArch: true, publiclist: true })

  const category = (await mm(['category', 'add', 'Fedora Linux', '--product', 'Fedora', '--topdir', 'pub/fedora/linux/', '--canonical-host', 'https://dl.example.org/', '--json'])).json
  t.same(category, { id: 1, name: 'Fedora Linux', product: 'Fedora', topdir: 'pub/fedora/linux', canonicalHost: 'https://dl.example.org', publiclist: true, geoDnsDomain: null, adminOnly: false })
  await mm(['category', 'add', 'Fedora Secondary', '--product', 'Fedora', '--topdir', 'pub/fedora-secondary', '--admin-only'])
  t.match((await mm(['category', 'update', 'Fedora Secondary', '--no-publiclist', '--json'])).json, { adminOnly: true, publiclist: false })
  t.match((await mm(['category', 'list'])).stdout, /Fedora Secondary │ Fedora\s+│ pub\/fedora-secondary │ yes/)
  t.match((await mm(['category', 'show', 'Fedora Linux'])).stdout, /topdir\s+pub\/fedora\/linux/)
})

t.test('site, site admin, site password', async (t) => {
  const mm = cliRunner(t, env)
  const site = (await mm(['site', 'add', 'Example University', '--org-url', 'https://www.example.edu/', '--created-by', 'alice', '--json'])).json
  t.match(site, { id: 1, name: 'Example University', orgUrl: 'https://www.example.edu', createdBy: 'alice', hasPassword: false, hosts: 0, admins: [] })
  t.notOk('passwordHash' in site, 'the hash is never shown')
  await mm(['site', 'admin', 'add', 'Example University', 'alice'])
  const generated = await mm(['site', 'password', 'Example University', '--generate'])
  const password = generated.stdout.trim()
  t.match(password, /^[A-Za-z0-9_-]{24}$/, 'the generated password alone on stdout')
  t.match(generated.stderr, /reset/)
  t.same((await mm(['site', 'password', 'Example University', '--password', 'twelve chars', '--json'])).json, { site: 'Example University' })
  t.match((await mm(['site', 'show', 'Example University', '--json'])).json, { hasPassword: true, admins: ['alice'] })
  await mm(['site', 'update', 'Example University', '--name', 'Example Uni', '--no-user-active'])
  t.match((await mm(['product', 'list'])).stdout, /│ 1  │ Fedora │ yes/, 'a table for people')
  t.match((await mm(['site', 'list'])).stdout, /Example Uni\s+│ 0\s+│ no\s+│ yes\s+│ no\s+│ yes/)

  const database = await openDatabase(resolveConfig({ env, configFile: '/dev/null' }), { migrations: COMMAND_MIGRATIONS })
  const [{ passwordHash }] = await database.sql<{ passwordHash: string }[]>`select password_hash from site`
  await database.close()
  t.ok(await verifyPassword('twelve chars', passwordHash), 'the last password set is the one stored, hashed')
  t.notOk(await verifyPassword(password, passwordHash))
})

t.test('repo, repo redirect, country-continent, netblock-country', async (t) => {
  const database = await openDatabase(resolveConfig({ env, configFile: '/dev/null' }), { migrations: COMMAND_MIGRATIONS })
  await database.sql`insert into directory (name) values ('pub/fedora/linux/releases/41/Everything/x86_64/os')`
  await database.sql`insert into repository (name, prefix, category_id, version_id, arch_id, directory_id)
    select 'Fedora 41 x86_64', 'fedora-41', c.id, v.id, a.id, d.id from category c, version v, arch a, directory d
    where c.name = 'Fedora Linux' and v.name = '41' and a.name = 'x86_64' and d.name like '%/os'`
  await database.close()
  const mm = cliRunner(t, env)
  const repos = (await mm(['repo', 'list', '--json'])).json
  t.same(repos, [{ id: 1, name: 'Fedora 41 x86_64', prefix: 'fedora-41', arch: 'x86_64', category: 'Fedora Linux', product: 'Fedora', version: '41', directory: 'pub/fedora/linux/releases/41/Everything/x86_64/os', disabled: false }])
  t.match((await mm(['repo', 'disable', 'fedora-41', '--arch', 'x86_64', '--json'])).json, { id: 1, disabled: true })
  t.match((await mm(['repo', 'enable', '1', '--json'])).json, { disabled: false })
  t.match((await mm(['repo', 'show', 'fedora-41', '--arch', 'x86_64'])).stdout, /disabled\s+no/)

  t.same((await mm(['repo', 'redirect', 'add', 'fedora-42-beta', 'fedora-42', '--json'])).json, { id: 1, fromRepo: 'fedora-42-beta', toRepo: 'fedora-42' })
  await mm(['repo', 'redirect', 'remove', 'fedora-42-beta'])

  t.same((await mm(['country-continent', 'add', 'il', 'eu', '--json'])).json, { id: 1, country: 'IL', continent: 'EU' })
  await mm(['country-continent', 'remove', 'IL'])

  t.same((await mm(['netblock-country', 'add', '192.0.2.0/255.255.255.0', 'nz', '--json'])).json, { id: 1, netblock: '192.0.2.0/24', country: 'NZ' })
  t.same((await mm(['netblock-country', 'remove', '192.0.2.0/24', '--json'])).json, { removed: { id: 1, netblock: '192.0.2.0/24', country: 'NZ' } })
  t.match((await mm(['netblock-country', 'list'])).stdout, /no netblock-to-country overrides/)
})
