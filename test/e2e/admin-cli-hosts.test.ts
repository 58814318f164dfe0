/**
 * The host command family end to end, addressing hosts as SITE/HOST, by unique name and
 * by id, on a fresh database (cliDatabaseKind) prepared through the library.
 */
import t from 'tap'
import { addCategory } from '../../src/lib/catalog/categories.js'
import { addProduct } from '../../src/lib/catalog/products.js'
import { addSite } from '../../src/lib/sites/sites.js'
import { cliRunner } from '../helpers/admin.js'
import { cliDatabaseKind, openTestDatabase } from '../helpers/database.js'

// Each spawn starts node and oclif (and, on the embedded database, PGlite: ~2 s of CPU):
// on a busy machine this file needs more than the default per-file timeout.
t.setTimeout(900_000)

t.test('host add/list/show/update/remove and every host sub-command', async (t) => {
  const db = await openTestDatabase(cliDatabaseKind())
  t.teardown(() => db.destroy())
  await addProduct(db.sql, { name: 'Fedora' })
  await addCategory(db.sql, 'Fedora Linux', { product: 'Fedora', topdir: 'pub/fedora/linux' })
  await addCategory(db.sql, 'Fedora EPEL', { product: 'Fedora', topdir: 'pub/epel' })
  await addSite(db.sql, 'Example University')
  await db.disconnect()
  const mm = cliRunner(t, db.env)

  const host = (await mm(['host', 'add', 'Example University/mirror.example.edu', '--country', 'us', '--bandwidth', '10000',
    '--asn', '64500', '--max-connections', '4', '--internet2', '--robot-email', 'root@example.edu', '--category', 'Fedora Linux', '--json'])).json
  t.match(host, { id: 1, site: 'Example University', name: 'mirror.example.edu', country: 'US', bandwidth: 10000, asn: 64500,
    maxConnections: 4, internet2: true, private: false, adminActive: true, robotEmail: 'root@example.edu', lastCrawled: null })
  t.match((await mm(['host', 'list'])).stdout, /│ 1  │ Example University │ mirror\.example\.edu │ US\s+│ 10000\s+│ no\s+│ yes/)

  await mm(['host', 'category', 'add', 'mirror.example.edu', 'Fedora EPEL', '--always-up2date'])
  t.match((await mm(['host', 'url', 'add', 'Example University/mirror.example.edu', 'Fedora Linux', 'https://mirror.example.edu/fedora/linux/', '--json'])).json,
    { host: 'Example University/mirror.example.edu', category: 'Fedora Linux', url: 'https://mirror.example.edu/fedora/linux', private: false })
  await mm(['host', 'url', 'add', '1', 'Fedora Linux', 'rsync://mirror.example.edu/fedora-linux', '--private'])
  t.match((await mm(['host', 'netblock', 'add', '1', '192.0.2.0/255.255.255.0', '--name', 'campus', '--json'])).json, { kind: 'netblock', value: '192.0.2.0/24', name: 'campus' })
  await mm(['host', 'netblock', 'add', '1', '10.0.0.0/8', '--force'])
  await mm(['host', 'netblock', 'add', '1', 'Campus-Gw.Example.EDU'])
  await mm(['host', 'peer-asn', 'add', '1', 'AS4200000000'])
  await mm(['host', 'country-allowed', 'add', '1', 'ca'])
  await mm(['host', 'acl-ip', 'add', '1', '2001:DB8:0::10'])

  const shown = (await mm(['host', 'show', 'mirror.example.edu', '--json'])).json
  t.same(shown.categories, [
    { category: 'Fedora EPEL', alwaysUp2date: true, urls: [] },
    { category: 'Fedora Linux', alwaysUp2date: false, urls: [
      { url: 'https://mirror.example.edu/fedora/linux', private: false },
      { url: 'rsync://mirror.example.edu/fedora-linux', private: true },
    ] },
  ])
  t.same(shown.netblocks, ['10.0.0.0/8', '192.0.2.0/24', 'campus-gw.example.edu'])
  t.same([shown.peerAsns, shown.countriesAllowed, shown.aclIps], [[4200000000], ['CA'], ['2001:db8::10']])
  // regression (issue 22): netblock names were stored but shown nowhere, and there was no list command.
  t.same(shown.netblockNames, { '192.0.2.0/24': 'campus' })
  t.match((await mm(['host', 'show', 'mirror.example.edu'])).stdout, /192\.0\.2\.0\/24 \(campus\)/)
  t.match((await mm(['host', 'netblock', 'list', 'mirror.example.edu', '--json'])).json, [
    { kind: 'netblock', value: '10.0.0.0/8', name: null },
    { kind: 'netblock', value: '192.0.2.0/24', name: 'campus' },
    { kind: 'netblock', value: 'campus-gw.example.edu', name: null },
  ])
  t.match((await mm(['host', 'netblock', 'list', '1'])).stdout, /192\.0\.2\.0\/24\s+│ campus/)

  await mm(['host', 'url', 'remove', '1', 'rsync://mirror.example.edu/fedora-linux/'])
  await mm(['host', 'netblock', 'remove', '1', '10.0.0.0/255.0.0.0'])
  await mm(['host', 'peer-asn', 'remove', '1', '4200000000'])
  await mm(['host', 'country-allowed', 'remove', '1', 'CA'])
  await mm(['host', 'acl-ip', 'remove', '1', '2001:db8::10'])
  await mm(['host', 'category', 'remove', '1', 'Fedora EPEL'])
  await mm(['host', 'update', 'Example University/mirror.example.edu', '--no-admin-active', '--comment', 'disk failure', '--asn', ''])
  const text = (await mm(['host', 'show', '1'])).stdout
  t.match(text, /admin active\s+no\n/)
  t.match(text, /comment\s+disk failure\n/)
  t.match(text, /category\s+Fedora Linux: https:\/\/mirror\.example\.edu\/fedora\/linux\n/)
  t.match(text, /netblocks\s+192\.0\.2\.0\/24 \(campus\), campus-gw\.example\.edu\n/)
  t.match(text, /peer asns\s+\n/)

  t.match((await mm(['host', 'remove', '1', '--json'])).json, { removed: { id: 1, name: 'mirror.example.edu', asn: null } })
  t.match((await mm(['host', 'list'])).stdout, /no hosts/)
})
