import t from 'tap'
import { addArch, getArch, listArches, removeArch, updateArch } from '../../src/lib/catalog/arches.js'
import { addCategory, getCategory, listCategories, removeCategory, updateCategory } from '../../src/lib/catalog/categories.js'
import { addProduct, getProduct, listProducts, removeProduct, updateProduct } from '../../src/lib/catalog/products.js'
import { addVersion, getVersion, listVersions, removeVersion, updateVersion } from '../../src/lib/catalog/versions.js'
import type { Sql } from '../../src/lib/db/sql.js'
import { ConflictError, NotFoundError, UsageError, ValidationError } from '../../src/lib/errors.js'
import { addCountryContinentRedirect, listCountryContinentRedirects, removeCountryContinentRedirect } from '../../src/lib/geo/country-continent.js'
import { addNetblockCountry, listNetblockCountries, removeNetblockCountry } from '../../src/lib/geo/netblock-country.js'
import { addHostCategory, removeHostCategory } from '../../src/lib/hosts/host-categories.js'
import { getHostDetails } from '../../src/lib/hosts/host-details.js'
import { addHostListEntry, removeHostListEntry } from '../../src/lib/hosts/host-lists.js'
import { addHostUrl, removeHostUrl } from '../../src/lib/hosts/host-urls.js'
import { addHost, listHosts, removeHost, updateHost } from '../../src/lib/hosts/hosts.js'
import { addRepositoryRedirect, listRepositoryRedirects, removeRepositoryRedirect } from '../../src/lib/repos/redirects.js'
import { getRepository, listRepositories, setRepositoryDisabled } from '../../src/lib/repos/repositories.js'
import { verifyPassword } from '../../src/lib/sites/password.js'
import { addSiteAdmin, removeSiteAdmin } from '../../src/lib/sites/site-admins.js'
import { setSitePassword } from '../../src/lib/sites/site-password.js'
import { addSite, getSite, listSites, removeSite, updateSite } from '../../src/lib/sites/sites.js'
import { databaseKinds, openTestDatabase } from '../helpers/database.js'

async function count(sql: Sql, table: string): Promise<number> {
  const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from ${sql(table)}`
  return n
}

/** Row counts of every admin table: "the database is unchanged" means these are equal. */
async function counts(sql: Sql): Promise<Record<string, number>> {
  const tables = ['product', 'version', 'category', 'directory', 'category_directory', 'site', 'site_admin', 'host',
    'host_category', 'host_category_url', 'host_netblock', 'host_peer_asn', 'host_country_allowed', 'host_acl_ip']
  return Object.fromEntries(await Promise.all(tables.map(async (table) => [table, await count(sql, table)])))
}

async function seedCatalog(sql: Sql) {
  await addProduct(sql, { name: 'Fedora' })
  await addVersion(sql, 'Fedora', '41', { sortorder: 41, displayName: 'Fedora 41' })
  await addCategory(sql, 'Fedora Linux', { product: 'Fedora', topdir: 'pub/fedora/linux' })
  await addCategory(sql, 'Fedora EPEL', { product: 'Fedora', topdir: 'pub/epel/', adminOnly: true })
}

for (const kind of databaseKinds()) {
  t.test(`${kind}: catalog add/list/update/remove`, async (t) => {
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    const sql = db.sql
    await seedCatalog(sql)
    t.same((await listProducts(sql)).map((p) => p.name), ['Fedora'])
    await t.rejects(addProduct(sql, { name: 'Fedora' }), ConflictError, 'duplicate product name')
    t.match(await updateProduct(sql, 'Fedora', { publiclist: false }), { name: 'Fedora', publiclist: false })

    t.match(await listVersions(sql, 'Fedora'), [{ product: 'Fedora', name: '41', sortorder: 41, displayName: 'Fedora 41', isTest: false }])
    await t.rejects(addVersion(sql, 'Fedora', '41'), ConflictError, 'duplicate version of a product')
    await t.rejects(addVersion(sql, 'Nope', '1'), NotFoundError, 'version of an unknown product')
    t.match(await updateVersion(sql, 'Fedora', '41', { isTest: true, codename: 'x' }), { isTest: true, codename: 'x', sortorder: 41 })

    const category = await getCategory(sql, 'Fedora EPEL')
    t.match(category, { product: 'Fedora', topdir: 'pub/epel', adminOnly: true, publiclist: true }, 'topdir normalised, directory created')
    t.equal(await count(sql, 'directory'), 2)
    await t.rejects(addCategory(sql, 'Fedora Linux', { product: 'Fedora', topdir: 'elsewhere' }), ConflictError)
    t.equal(await count(sql, 'directory'), 2, 'the rejected category did not leave its directory behind')
    t.match(await updateCategory(sql, 'Fedora EPEL', { name: 'EPEL', topdir: 'pub/epel2' }), { name: 'EPEL', topdir: 'pub/epel2' })
    t.equal((await listCategories(sql, 'Fedora')).length, 2)

    await t.rejects(removeProduct(sql, 'Fedora'), { name: 'ConflictError', message: /still has 2 categories \(EPEL, Fedora Linux\)/ })
    await removeCategory(sql, 'EPEL')
    await removeCategory(sql, 'Fedora Linux')
    await removeProduct(sql, 'Fedora')
    t.equal(await count(sql, 'version'), 0, 'versions go with their product')

    await addArch(sql, { name: 'loongarch64' })
    await t.rejects(addArch(sql, { name: 'x86_64' }), ConflictError, 'arches are seeded and unique')
    t.match(await updateArch(sql, 'loongarch64', { primaryArch: true }), { primaryArch: true })
    await removeArch(sql, 'loongarch64')
    t.notOk((await listArches(sql)).some((a) => a.name === 'loongarch64'))
  })

  t.test(`${kind}: site show 3 did not find site id 3: every topic takes the numeric id, names first`, async (t) => {
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    const sql = db.sql
    await seedCatalog(sql)
    const site = await addSite(sql, 'Example University')
    t.match(await getSite(sql, String(site.id)), { name: 'Example University' }, 'site by id')
    t.match(await updateSite(sql, String(site.id), { createdBy: 'ops' }), { name: 'Example University', createdBy: 'ops' }, 'site update by id')
    const product = (await listProducts(sql))[0]!
    t.match(await getProduct(sql, String(product.id)), { name: 'Fedora' }, 'product by id')
    const arch = (await listArches(sql)).find((a) => a.name === 'x86_64')!
    t.match(await getArch(sql, String(arch.id)), { name: 'x86_64' }, 'arch by id')
    const category = await getCategory(sql, 'Fedora EPEL')
    t.match(await getCategory(sql, String(category.id)), { name: 'Fedora EPEL' }, 'category by id')
    const [version] = await listVersions(sql, String(product.id))
    t.match(version, { product: 'Fedora', name: '41' }, '--product by id')
    t.match(await getVersion(sql, 'Fedora', String(version!.id)), { name: '41' }, 'version by id')
    // a version NAMED like another version's id: the name wins
    const other = await addVersion(sql, 'Fedora', String(version!.id + 1000))
    t.match(await getVersion(sql, 'Fedora', other.name), { id: other.id }, 'a name is looked up first')
    await t.rejects(getSite(sql, '999999'), NotFoundError, 'an id that does not exist')
    await t.rejects(getSite(sql, '99999999999'), NotFoundError, 'digits beyond an integer: a name, not a database error')
    t.match(await removeSite(sql, String(site.id)), { name: 'Example University' }, 'site remove by id')
  })

  t.test(`${kind}: sites and hosts, host references, cascades`, async (t) => {
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    const sql = db.sql
    await seedCatalog(sql)
    await addSite(sql, 'Example University', { orgUrl: 'https://www.example.edu/' })
    await addSite(sql, 'Other Org')
    await t.rejects(addSite(sql, 'Example University'), { name: 'ConflictError', message: /site "Example University" already exists/ })
    t.match(await updateSite(sql, 'Other Org', { private: true }), { private: true, orgUrl: null })
    await addSiteAdmin(sql, 'Example University', 'alice')
    await t.rejects(addSiteAdmin(sql, 'Example University', 'alice'), ConflictError)

    const host = await addHost(sql, 'Example University/mirror.example.edu', { country: 'us', bandwidth: '1000', asn: 'AS64500' }, { categories: ['Fedora Linux'] })
    t.match(host, { site: 'Example University', name: 'mirror.example.edu', country: 'US', bandwidth: 1000, asn: 64500 })
    await addHost(sql, 'Other Org/mirror.example.edu', { country: 'DE' })
    await t.rejects(addHost(sql, 'Other Org/mirror.example.edu', { country: 'DE' }), { message: /already has a host "mirror.example.edu"/ })
    await t.rejects(updateHost(sql, 'mirror.example.edu', { bandwidth: 5 }), UsageError, 'a host name on two sites is ambiguous')
    t.match(await updateHost(sql, String(host.id), { bandwidth: 5, asn: '' }), { bandwidth: 5, asn: null }, 'numeric id')

    await addHostUrl(sql, 'Example University/mirror.example.edu', 'Fedora Linux', 'https://mirror.example.edu/fedora/linux/')
    await addHostUrl(sql, String(host.id), 'Fedora EPEL', 'rsync://mirror.example.edu/epel', { private: true })
    await addHostListEntry(sql, 'netblock', String(host.id), '192.0.2.0/255.255.255.0', { name: 'campus' })
    await addHostListEntry(sql, 'peer-asn', String(host.id), '4200000000')
    await addHostListEntry(sql, 'country-allowed', String(host.id), 'ca')
    await addHostListEntry(sql, 'acl-ip', String(host.id), '2001:DB8::10')
    await t.rejects(addHostListEntry(sql, 'netblock', String(host.id), '192.0.2.0/24'), ConflictError, 'same netblock twice')
    const details = await getHostDetails(sql, 'Example University/mirror.example.edu')
    t.same(details.categories, [
      { category: 'Fedora EPEL', alwaysUp2date: false, urls: [{ url: 'rsync://mirror.example.edu/epel', private: true }] },
      { category: 'Fedora Linux', alwaysUp2date: false, urls: [{ url: 'https://mirror.example.edu/fedora/linux', private: false }] },
    ])
    t.same([details.netblocks, details.peerAsns, details.countriesAllowed, details.aclIps], [['192.0.2.0/24'], [4200000000], ['CA'], ['2001:db8::10']])

    await removeHostListEntry(sql, 'netblock', String(host.id), '192.0.2.0/24')
    await t.rejects(removeHostListEntry(sql, 'netblock', String(host.id), '192.0.2.0/24'), NotFoundError)
    await removeHostUrl(sql, String(host.id), 'rsync://mirror.example.edu/epel/')
    await removeHostCategory(sql, String(host.id), 'Fedora EPEL')
    await t.rejects(removeHostCategory(sql, String(host.id), 'Fedora EPEL'), NotFoundError)

    await t.rejects(removeCategory(sql, 'Fedora Linux'), { name: 'ConflictError', message: /carried by 1 host.*--force/ })
    await t.rejects(removeSite(sql, 'Example University'), { name: 'ConflictError', message: /has 1 host.*--force/ })
    t.equal((await getSite(sql, 'Example University')).hosts, 1, 'refused removal changed nothing')
    await removeSite(sql, 'Example University', { force: true })
    t.same((await listHosts(sql)).map((h) => `${h.site}/${h.name}`), ['Other Org/mirror.example.edu'], 'only the other site\'s host is left')
    for (const table of ['site_admin', 'host_category', 'host_category_url', 'host_peer_asn', 'host_country_allowed', 'host_acl_ip']) {
      t.equal(await count(sql, table), 0, `${table}: nothing orphaned`)
    }
    await removeSiteAdmin(sql, 'Other Org', 'nobody').catch((error) => t.ok(error instanceof NotFoundError))
    await removeHost(sql, 'mirror.example.edu')
    t.equal(await count(sql, 'host'), 0)
    t.equal((await listSites(sql)).length, 1)
  })

  t.test(`${kind}: a failed multi-step operation leaves nothing half-written`, async (t) => {
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    const sql = db.sql
    await seedCatalog(sql)
    await addSite(sql, 'Example University')
    const before = await counts(sql)
    // The host and its first category are written before the second category is found missing.
    await t.rejects(
      addHost(sql, 'Example University/mirror.example.edu', { country: 'US' }, { categories: ['Fedora Linux', 'No Such Category'] }),
      NotFoundError,
    )
    t.same(await counts(sql), before, 'host add: no host, no host category')
    await t.rejects(addHost(sql, 'Example University/mirror.example.edu', { country: 'XX' }), ValidationError)
    await t.rejects(addHost(sql, 'Example University/mirror.example.edu', { country: 'US', bandwidth: '0' }), ValidationError)
    t.same(await counts(sql), before, 'rejected fields change nothing')

    await addHost(sql, 'Example University/a.example.edu', { country: 'US' })
    await addHost(sql, 'Example University/b.example.edu', { country: 'US' })
    await addHostUrl(sql, 'a.example.edu', 'Fedora Linux', 'https://a.example.edu/fedora')
    const middle = await counts(sql)
    // b does not carry the category yet: the host category is created, then the URL clashes.
    await t.rejects(addHostUrl(sql, 'b.example.edu', 'Fedora Linux', 'https://a.example.edu/fedora/'), { name: 'ConflictError', message: /already registered/ })
    t.same(await counts(sql), middle, 'host url add: the implied host category was rolled back')
    await t.rejects(addCategory(sql, 'New', { product: 'Nope', topdir: 'pub/new' }), NotFoundError)
    t.same(await counts(sql), middle, 'category add with an unknown product leaves no directory')
    await t.rejects(addHostCategory(sql, 'a.example.edu', 'Fedora Linux'), ConflictError)
  })

  t.test(`${kind}: password, repositories, redirects, geo overrides`, async (t) => {
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    const sql = db.sql
    await seedCatalog(sql)
    await addSite(sql, 'S')
    await t.rejects(setSitePassword(sql, 'S', 'short'), ValidationError)
    await setSitePassword(sql, 'S', 'correct horse battery')
    const [{ passwordHash }] = await sql<{ passwordHash: string }[]>`select password_hash from site`
    t.notMatch(passwordHash, /correct horse/, 'stored hashed')
    t.ok(await verifyPassword('correct horse battery', passwordHash))
    t.equal((await getSite(sql, 'S')).hasPassword, true)

    await sql`insert into directory (name) values ('pub/fedora/linux/releases/41/Everything/x86_64/os')`
    await sql`insert into repository (name, prefix, category_id, version_id, arch_id, directory_id)
      select 'Fedora 41 x86_64', 'fedora-41', c.id, v.id, a.id, d.id from category c, version v, arch a, directory d
      where c.name = 'Fedora Linux' and v.name = '41' and a.name = 'x86_64' and d.name like '%/os'`
    t.match(await listRepositories(sql, { product: 'Fedora', arch: 'x86_64' }), [{ prefix: 'fedora-41', version: '41', category: 'Fedora Linux', disabled: false }])
    t.same(await listRepositories(sql, { arch: 'aarch64' }), [])
    await setRepositoryDisabled(sql, 'fedora-41', 'x86_64', true)
    t.equal((await getRepository(sql, 'fedora-41', 'x86_64')).disabled, true)
    t.equal((await listRepositories(sql, { disabled: true })).length, 1)
    await t.rejects(getRepository(sql, 'fedora-41'), UsageError, 'a prefix needs --arch')
    await t.rejects(removeVersion(sql, 'Fedora', '41'), { name: 'ConflictError', message: /1 repository/ })
    await t.rejects(removeArch(sql, 'x86_64'), ConflictError)

    await addRepositoryRedirect(sql, 'fedora-42-beta', 'fedora-42')
    await t.rejects(addRepositoryRedirect(sql, 'fedora-42', 'fedora-42-beta'), { message: /would loop/ })
    await t.rejects(addRepositoryRedirect(sql, 'fedora-42-beta', 'x'), ConflictError)
    t.match(await listRepositoryRedirects(sql), [{ fromRepo: 'fedora-42-beta', toRepo: 'fedora-42' }])
    await removeRepositoryRedirect(sql, 'fedora-42-beta')

    t.match(await addCountryContinentRedirect(sql, 'il', 'eu'), { country: 'IL', continent: 'EU' })
    await t.rejects(addCountryContinentRedirect(sql, 'IL', 'AS'), ConflictError)
    await t.rejects(addCountryContinentRedirect(sql, 'XX', 'EU'), ValidationError)
    t.equal((await listCountryContinentRedirects(sql)).length, 1)
    await removeCountryContinentRedirect(sql, 'il')

    t.match(await addNetblockCountry(sql, '10.0.0.0/255.0.0.0', 'nz'), { netblock: '10.0.0.0/8', country: 'NZ' }, 'any size, netmask converted')
    await t.rejects(addNetblockCountry(sql, '10.0.0.0/8', 'AU'), ConflictError)
    await t.rejects(addNetblockCountry(sql, 'mirror.example.org', 'AU'), ValidationError, 'no host names')
    t.equal((await listNetblockCountries(sql)).length, 1)
    await removeNetblockCountry(sql, '10.0.0.0/8')
    t.equal(await count(sql, 'netblock_country'), 0)
  })
}
