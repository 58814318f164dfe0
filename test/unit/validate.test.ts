import t from 'tap'
import { ValidationError } from '../../src/lib/errors.js'
import { normalizeContinent, normalizeCountry } from '../../src/lib/validate/country.js'
import { formatIp, parseIp } from '../../src/lib/netblocks/ip.js'
import { normalizeDirectoryPath, requireHostName } from '../../src/lib/validate/name.js'
import { isDnsHostName, normalizeNetblock } from '../../src/lib/validate/netblock.js'
import { autonomousSystemNumber, positiveInteger } from '../../src/lib/validate/number.js'
import { normalizeMirrorUrl } from '../../src/lib/validate/url.js'

/** Asserts a ValidationError whose message matches: what the user is told to fix. */
function rejects(t: { ok: (value: unknown, name: string) => void }, fn: () => unknown, message: RegExp, name: string): void {
  try {
    fn()
    t.ok(false, `${name}: accepted, should be rejected`)
  } catch (error) {
    t.ok(error instanceof ValidationError && message.test(error.message), `${name}: ${(error as Error).message}`)
  }
}

t.test('mirror URLs: http/https/ftp/rsync, stored without trailing slash', async (t) => {
  t.equal(normalizeMirrorUrl('https://mirror.example.org/pub/fedora/'), 'https://mirror.example.org/pub/fedora')
  t.equal(normalizeMirrorUrl(' rsync://mirror.example.org/fedora// '), 'rsync://mirror.example.org/fedora')
  t.equal(normalizeMirrorUrl('ftp://ftp.example.org/pub'), 'ftp://ftp.example.org/pub')
  t.equal(normalizeMirrorUrl('http://[2001:db8::1]:8080/f'), 'http://[2001:db8::1]:8080/f')
  rejects(t, () => normalizeMirrorUrl('gopher://x.example/f'), /use http, https, ftp or rsync/, 'other schemes')
  rejects(t, () => normalizeMirrorUrl('file:///srv/mirror'), /scheme "file"/, 'file URLs')
  rejects(t, () => normalizeMirrorUrl('mirror.example.org/pub'), /not a URL/, 'no scheme')
  rejects(t, () => normalizeMirrorUrl('https://mirror.example.org/pub?x=1'), /query or fragment/, 'query strings')
})

t.test('netblocks: CIDR, bare IPs, dotted netmasks, host names, size limit', async (t) => {
  t.equal(normalizeNetblock('192.0.2.0/24'), '192.0.2.0/24')
  t.equal(normalizeNetblock('192.0.2.7'), '192.0.2.7/32', 'a bare IPv4 address is /32')
  t.equal(normalizeNetblock('2001:DB8::1'), '2001:db8::1/128', 'a bare IPv6 address is /128, lower case')
  t.equal(normalizeNetblock('192.0.2.0/255.255.255.0'), '192.0.2.0/24', 'dotted netmask -> CIDR')
  t.equal(normalizeNetblock('198.51.100.0/255.255.254.0'), '198.51.100.0/23')
  t.equal(normalizeNetblock('2001:0db8:0000:0000::/48'), '2001:db8::/48', 'IPv6 in canonical form')
  t.equal(normalizeNetblock('::ffff:192.0.2.0/120'), '192.0.2.0/24', 'an IPv4-mapped block is the IPv4 block, as the server matches it')
  t.equal(normalizeNetblock('172.16.0.0/16'), '172.16.0.0/16', '/16 is allowed without force')
  t.equal(normalizeNetblock('2001:db8::/32'), '2001:db8::/32', '/32 is allowed without force')
  rejects(t, () => normalizeNetblock('10.0.0.0/8'), /larger than \/16.*--force/, 'IPv4 larger than /16')
  rejects(t, () => normalizeNetblock('2001:db8::/31'), /larger than \/32.*--force/, 'IPv6 larger than /32')
  t.equal(normalizeNetblock('10.0.0.0/8', { force: true }), '10.0.0.0/8', '--force accepts it')
  t.equal(normalizeNetblock('0.0.0.0/0', { limitSize: false }), '0.0.0.0/0')
  rejects(t, () => normalizeNetblock('192.0.2.1/24'), /host bits set; did you mean 192.0.2.0\/24/, 'host bits')
  rejects(t, () => normalizeNetblock('192.0.2.0/33'), /invalid prefix length/, 'prefix too long')
  rejects(t, () => normalizeNetblock('192.0.2.0/255.0.255.0'), /invalid netmask/, 'non-contiguous netmask')
  rejects(t, () => normalizeNetblock('300.1.2.3'), /not an IP address or a CIDR netblock/, 'bad octet')
  rejects(t, () => normalizeNetblock('mirror.example.org'), /not an IP address or a CIDR netblock/, 'names only when allowed')
  t.equal(normalizeNetblock('Mirror.Example.ORG.', { allowHostName: true }), 'mirror.example.org')
  rejects(t, () => normalizeNetblock('not a host', { allowHostName: true }), /DNS host name/, 'junk with names allowed')
  t.notOk(isDnsHostName('1.2.3'), 'numeric last label is not a host name')
})

t.test('IP addresses round-trip', async (t) => {
  for (const text of ['0.0.0.0', '255.255.255.255', '::', '::1', '2001:db8::', 'fe80::1:2', '2001:db8:1:2:3:4:5:6']) {
    t.equal(formatIp(parseIp(text)!), text)
  }
  t.throws(() => normalizeNetblock('fe80::1%eth0'), /is not an IP address/, 'zone indexes are not netblocks')
})

t.test('countries, numbers, names', async (t) => {
  t.equal(normalizeCountry('de'), 'DE')
  rejects(t, () => normalizeCountry('UK'), /GB/, 'UK hints at GB')
  rejects(t, () => normalizeCountry('Germany'), /ISO 3166-1 alpha-2/, 'names are not codes')
  t.equal(normalizeContinent('eu'), 'EU')
  rejects(t, () => normalizeContinent('ZZ'), /AF, AN, AS, EU, NA, OC, SA/, 'unknown continent')
  t.equal(positiveInteger('100', 'bandwidth'), 100)
  rejects(t, () => positiveInteger('0', 'bandwidth'), /bandwidth.*out of range/, 'zero bandwidth')
  rejects(t, () => positiveInteger('-5', 'bandwidth'), /bandwidth.*not a positive whole number/, 'negative bandwidth')
  rejects(t, () => positiveInteger('1.5', 'bandwidth'), /not a positive whole number/, 'fractions')
  t.equal(autonomousSystemNumber('AS4294967295'), 4294967295)
  rejects(t, () => autonomousSystemNumber('4294967296'), /out of range/, 'ASN beyond 32 bits')
  rejects(t, () => autonomousSystemNumber('0'), /out of range/, 'ASN 0')
  rejects(t, () => requireHostName('a/b'), /may not contain/, 'slash in host name')
  rejects(t, () => requireHostName('42'), /read as a host id/, 'numeric host name')
  t.equal(normalizeDirectoryPath('/pub/fedora//linux/'), 'pub/fedora/linux')
  rejects(t, () => normalizeDirectoryPath('pub/../etc'), /directory path/, 'dot-dot')
})
