import t from 'tap'
import { ValidationError } from '../../src/lib/errors.js'
import { normalizeContinent, normalizeCountry } from '../../src/lib/validate/country.js'
import { formatIp, parseIp } from '../../src/lib/netblocks/ip.js'
import { normalizeDirectoryPath, requireHostName, requireName } from '../../src/lib/validate/name.js'
import { referenceId } from '../../src/lib/validate/reference.js'
import { LIMITS, limitDnsName, optionalText } from '../../src/lib/validate/text.js'
import { isDnsHostName, normalizeNetblock } from '../../src/lib/validate/netblock.js'
import { autonomousSystemNumber, positiveInteger } from '../../src/lib/validate/number.js'
import { normalizeMirrorUrl, normalizeWebUrl } from '../../src/lib/validate/url.js'

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
  t.equal(normalizeDirectoryPath('pub/fedora//linux/'), 'pub/fedora/linux')
  rejects(t, () => normalizeDirectoryPath('pub/../etc'), /directory path/, 'dot-dot')
})

t.test('name and URL limits: over-long values and bidi controls are invalid input, one table', async (t) => {
  const cases: [string, () => unknown, RegExp | string][] = [
    ['site name of 255 bytes', () => requireName('s'.repeat(255), 'site name'), 's'.repeat(255)],
    ['site name of 256 bytes', () => requireName('s'.repeat(256), 'site name'), /site name is too long: 256 bytes \(UTF-8\), at most 255/],
    ['6,000 characters', () => requireName('x'.repeat(6000), 'site name'), /6000 bytes/],
    ['non-ASCII counted in bytes', () => requireName('ü'.repeat(128), 'site name'), /256 bytes/],
    ['non-ASCII within the limit', () => requireName('Universität', 'site name'), 'Universität'],
    ['right-to-left text needs no control', () => requireName('מראה', 'site name'), 'מראה'],
    ['U+202E right-to-left override', () => requireName('abc\u202Etxt.exe', 'site name'), /bidirectional control character \(U\+202E\)/],
    ['U+202A left-to-right embedding', () => requireName('\u202Aabc', 'product name'), /U\+202A/],
    ['U+2066 left-to-right isolate', () => requireName('a\u2066b', 'arch name'), /U\+2066/],
    ['U+2069 pop directional isolate', () => requireName('a\u2069b', 'category name'), /U\+2069/],
    ['host name of 253 bytes, labels of 63', () => requireHostName(`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`), /^a{63}\./],
    ['host name of 254 bytes', () => requireHostName(`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`), /host name is too long: 254 bytes/],
    ['a 300-character label', () => requireHostName(`${'a'.repeat(300)}.example.org`), /too long: 312 bytes/],
    ['a 64-byte label', () => requireHostName(`${'a'.repeat(64)}.example.org`), /a DNS label may be at most 63 bytes/],
    ['an empty label', () => requireHostName('mirror..example.org'), /empty label/],
    ['a final dot', () => requireHostName('mirror.example.org.'), 'mirror.example.org.'],
    ['bidi in a host name', () => requireHostName('mirror\u202E.example.org'), /U\+202E/],
    ['URL of 1,024 bytes', () => normalizeMirrorUrl(`https://m.example/${'p'.repeat(1024 - 18)}`), /^https:/],
    ['URL of 1,025 bytes', () => normalizeMirrorUrl(`https://m.example/${'p'.repeat(1025 - 18)}`), /url is too long: 1025 bytes/],
    ['web URL too long', () => normalizeWebUrl(`https://m.example/${'p'.repeat(2000)}`, 'org-url'), /org-url is too long/],
    ['comment of 4,096 bytes', () => optionalText('c'.repeat(4096), 'comment', LIMITS.longText), 'c'.repeat(4096)],
    ['comment of 4,097 bytes', () => optionalText('c'.repeat(4097), 'comment', LIMITS.longText), /comment is too long: 4097 bytes/],
    ['short text over 255 bytes', () => optionalText('c'.repeat(256), 'codename'), /codename is too long/],
    ['absent text', () => optionalText(undefined, 'codename') ?? 'absent', 'absent'],
    ['GeoDNS domain label over 63', () => limitDnsName(`${'g'.repeat(64)}.example.org`, 'geo-dns-domain'), /geo-dns-domain: a DNS label may be at most 63 bytes/],
    ['absolute topdir', () => normalizeDirectoryPath('/etc', 'topdir'), /topdir: "\/etc" is an absolute path/],
    ['topdir climbing out', () => normalizeDirectoryPath('pub/../../etc', 'topdir'), /not a directory path/],
    ['topdir of 1,025 bytes', () => normalizeDirectoryPath('d/'.repeat(512) + 'e', 'topdir'), /topdir is too long: 1025 bytes/],
  ]
  for (const [name, run, expected] of cases) {
    if (typeof expected === 'string') {
      t.equal(run(), expected, name)
      continue
    }
    try {
      const value = run()
      t.match(value, expected, name)
    } catch (error) {
      t.ok(error instanceof ValidationError && expected.test((error as Error).message), `${name}: ${(error as Error).message}`)
    }
  }
})

t.test('references: a name, else the numeric id list shows', async (t) => {
  t.equal(referenceId('3'), 3)
  t.equal(referenceId(' 42 '), 42)
  t.equal(referenceId('2147483647'), 2147483647)
  t.equal(referenceId('2147483648'), null, 'beyond PostgreSQL integer: a name')
  t.equal(referenceId('12345678901'), null)
  t.equal(referenceId('f41'), null)
  t.equal(referenceId('-1'), null)
  t.equal(referenceId(''), null)
})
