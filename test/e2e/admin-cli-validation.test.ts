/**
 * Every validation rule of the admin commands, through the CLI: each rejection exits
 * with the catalogue's status, says what to fix, and leaves the database unchanged
 * (a full dump of the admin tables before and after is compared).
 */
import t from 'tap'
import { addCategory } from '../../src/lib/catalog/categories.js'
import { addProduct } from '../../src/lib/catalog/products.js'
import { addCountryContinentRedirect } from '../../src/lib/geo/country-continent.js'
import { addNetblockCountry } from '../../src/lib/geo/netblock-country.js'
import { addHostUrl } from '../../src/lib/hosts/host-urls.js'
import { addHost } from '../../src/lib/hosts/hosts.js'
import { addSite } from '../../src/lib/sites/sites.js'
import { cliRunner, dumpAdminTables } from '../helpers/admin.js'
import { cliDatabaseKind, openTestDatabase } from '../helpers/database.js'

// Each spawn starts node and oclif (and, on the embedded database, PGlite: ~2 s of CPU):
// on a busy machine this file needs more than the default per-file timeout.
t.setTimeout(900_000)

const INVALID = 4
const NOT_FOUND = 5
const CONFLICT = 6

const H = 'Example University/mirror.example.edu'

/** [what is rejected, argv, exit status, what the message must say] */
const rejections: [string, string[], number, RegExp][] = [
  ['URL scheme other than http/https/ftp/rsync', ['host', 'url', 'add', H, 'Fedora Linux', 'gopher://mirror.example.edu/fedora'], INVALID, /scheme "gopher" is not allowed.*use http, https, ftp or rsync/],
  ['text that is not a URL', ['host', 'url', 'add', H, 'Fedora Linux', 'mirror.example.edu/fedora'], INVALID, /is not a URL; write it like https:/],
  ['a URL registered already (trailing slash does not make it new)', ['host', 'url', 'add', H, 'Fedora Linux', 'https://mirror.example.edu/fedora/'], CONFLICT, /URL https:\/\/mirror\.example\.edu\/fedora is already registered/],
  ['a netblock that is not CIDR, IP or host name', ['host', 'netblock', 'add', H, '300.0.0.0/24'], INVALID, /not an IP address, a CIDR netblock or a DNS host name/],
  ['an IPv4 netblock larger than /16 without --force', ['host', 'netblock', 'add', H, '10.0.0.0/15'], INVALID, /10\.0\.0\.0\/15 is larger than \/16.*--force/],
  ['an IPv6 netblock larger than /32 without --force', ['host', 'netblock', 'add', H, '2001:db8::/31'], INVALID, /2001:db8::\/31 is larger than \/32.*--force/],
  ['a netblock with host bits set', ['host', 'netblock', 'add', H, '192.0.2.1/24'], INVALID, /did you mean 192\.0\.2\.0\/24/],
  ['an invalid dotted netmask', ['host', 'netblock', 'add', H, '192.0.2.0/255.0.255.0'], INVALID, /invalid netmask/],
  ['an unknown country on host add', ['host', 'add', 'Example University/new.example.edu', '--country', 'XX'], INVALID, /"XX" is not an ISO 3166-1 alpha-2 country code/],
  ['UK instead of GB on host update', ['host', 'update', H, '--country', 'UK'], INVALID, /the United Kingdom is GB/],
  ['an unknown allowed country', ['host', 'country-allowed', 'add', H, 'Germany'], INVALID, /ISO 3166-1 alpha-2/],
  ['an unknown country for a continent redirect', ['country-continent', 'add', 'XX', 'EU'], INVALID, /ISO 3166-1 alpha-2/],
  ['an unknown continent', ['country-continent', 'add', 'DE', 'XX'], INVALID, /use one of AF, AN, AS, EU, NA, OC, SA/],
  ['a GeoIP override that is not a netblock', ['netblock-country', 'add', 'mirror.example.org', 'DE'], INVALID, /not an IP address or a CIDR netblock/],
  ['a GeoIP override with an unknown country', ['netblock-country', 'add', '198.51.100.0/24', 'ZZ'], INVALID, /ISO 3166-1 alpha-2/],
  ['zero bandwidth', ['host', 'update', H, '--bandwidth', '0'], INVALID, /bandwidth: 0 is out of range/],
  ['negative bandwidth', ['host', 'add', 'Example University/new.example.edu', '--country', 'DE', '--bandwidth=-100'], INVALID, /bandwidth: "-100" is not a positive whole number/],
  ['fractional bandwidth', ['host', 'update', H, '--bandwidth', '1.5'], INVALID, /not a positive whole number/],
  ['ASN 0', ['host', 'update', H, '--asn', '0'], INVALID, /asn: 0 is out of range/],
  ['a peer ASN beyond 32 bits', ['host', 'peer-asn', 'add', H, '4294967296'], INVALID, /out of range; an AS number is from 1 to 4294967295/],
  ['a duplicate product', ['product', 'add', 'Fedora'], CONFLICT, /product "Fedora" already exists/],
  ['a duplicate site', ['site', 'add', 'Example University'], CONFLICT, /site "Example University" already exists/],
  ['a duplicate host', ['host', 'add', H, '--country', 'US'], CONFLICT, /site "Example University" already has a host "mirror\.example\.edu"/],
  ['a duplicate category', ['category', 'add', 'Fedora Linux', '--product', 'Fedora', '--topdir', 'pub/other'], CONFLICT, /category "Fedora Linux" already exists/],
  ['a duplicate country-continent redirect', ['country-continent', 'add', 'il', 'AS'], CONFLICT, /IL already has a continent redirect/],
  ['removing a product that has categories', ['product', 'remove', 'Fedora'], CONFLICT, /still has 1 category \(Fedora Linux\); remove or move them first/],
  ['removing a site that has hosts, without --force', ['site', 'remove', 'Example University'], CONFLICT, /has 1 host; removing the site removes it too\. Pass --force/],
  ['removing a category hosts carry, without --force', ['category', 'remove', 'Fedora Linux'], CONFLICT, /carried by 1 host\(s\).*--force/],
  ['host add whose second category is unknown (multi-step)', ['host', 'add', 'Example University/new.example.edu', '--country', 'DE', '--category', 'Fedora Linux', '--category', 'Nope'], NOT_FOUND, /no category named "Nope"/],
  ['a password that is too short', ['site', 'password', 'Example University', '--password', 'short'], INVALID, /too short; use at least 8 characters/],
  // over-long names were a crash (MM_INTERNAL from a btree row-size error), issue 15
  ['a 6,000-character site name', ['site', 'add', 'x'.repeat(6000)], INVALID, /site name is too long: 6000 bytes \(UTF-8\), at most 255 allowed/],
  ['a host name with a 300-character label', ['host', 'add', `Example University/${'a'.repeat(300)}.example.edu`, '--country', 'DE'], INVALID, /host name is too long: 312 bytes/],
  ['a host name label over 63 bytes', ['host', 'add', `Example University/${'a'.repeat(64)}.example.edu`, '--country', 'DE'], INVALID, /a DNS label may be at most 63 bytes/],
  ['a 1,100-byte mirror URL', ['host', 'url', 'add', H, 'Fedora Linux', `https://mirror.example.edu/${'p'.repeat(1100)}`], INVALID, /url is too long: \d+ bytes \(UTF-8\), at most 1024 allowed/],
  ['a 5,000-byte host comment', ['host', 'update', H, '--comment', 'c'.repeat(5000)], INVALID, /comment is too long: 5000 bytes/],
  ['a bidi override in a site name', ['site', 'add', 'Example \u202Egnp.exe'], INVALID, /site name contains a bidirectional control character \(U\+202E\)/],
  ['a bidi isolate in a product name', ['product', 'add', 'Fedora\u2066'], INVALID, /product name contains a bidirectional control character \(U\+2066\)/],
  ['an absolute --topdir', ['category', 'add', 'Etc', '--product', 'Fedora', '--topdir', '/etc'], INVALID, /topdir: "\/etc" is an absolute path/],
  ['a --topdir with ..', ['category', 'update', 'Fedora Linux', '--topdir', 'pub/../../etc'], INVALID, /is not a directory path like pub\/fedora\/linux/],
]

t.test('every rejection: non-zero exit, a message saying what to fix, the database unchanged', async (t) => {
  const db = await openTestDatabase(cliDatabaseKind())
  t.teardown(() => db.destroy())
  await addProduct(db.sql, { name: 'Fedora' })
  await addCategory(db.sql, 'Fedora Linux', { product: 'Fedora', topdir: 'pub/fedora/linux' })
  await addSite(db.sql, 'Example University')
  await addHost(db.sql, H, { country: 'US' }, { categories: ['Fedora Linux'] })
  await addHostUrl(db.sql, H, 'Fedora Linux', 'https://mirror.example.edu/fedora')
  await addCountryContinentRedirect(db.sql, 'IL', 'EU')
  await addNetblockCountry(db.sql, '192.0.2.0/24', 'NZ')
  const before = await dumpAdminTables(db.sql)
  await db.disconnect()

  const mm = cliRunner(t, db.env)
  // Every command here is refused, so none changes what the next one sees: on a server
  // they run a few at a time; the embedded database admits one process at a time.
  const results = await inBatches(rejections, db.kind === 'postgres' ? 4 : 1, ([, argv, status]) => mm(argv, status))
  rejections.forEach(([what, , , message], i) => {
    t.match(results[i].stderr, message, `${what}: the message says what to fix`)
    t.equal(results[i].stdout, '', `${what}: nothing on stdout`)
  })
  const json = await mm(['host', 'netblock', 'add', H, '10.0.0.0/8', '--json'], INVALID)
  t.match(json.json, { error: { code: 'MM_INVALID_INPUT', exitStatus: INVALID, message: /--force/ } }, '--json errors are JSON on stdout')

  const sql = await db.reconnect()
  t.same(await dumpAdminTables(sql), before, 'the database is exactly as before')
})

/** fn over items, at most `width` at a time; results in the items' order. */
async function inBatches<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = []
  for (let i = 0; i < items.length; i += width) results.push(...(await Promise.all(items.slice(i, i + width).map(fn))))
  return results
}
