import t from 'tap'
import { categoryReplyLine } from '../../src/lib/checkin/apply-checkin.js'
import { parseExcludePatterns } from '../../src/lib/checkin/dirtree.js'
import { parseIni } from '../../src/lib/checkin/ini.js'
import { legacyWireBytes, looksLikePickle, parsePayloadBytes } from '../../src/lib/checkin/legacy-wire.js'
import { owned, transferList } from '../../src/lib/checkin/transfer.js'
import { IdentityScanner, type IdentityScanResult } from '../../src/lib/checkin/identity-scan.js'
import { validateCheckinIdentity, validateCheckinPayload } from '../../src/lib/checkin/payload.js'
import { pythonJsonDumps } from '../../src/lib/checkin/python-json.js'
import { clientAddressKey, RateLimiter } from '../../src/lib/checkin/rate-limit.js'
import { escapeXmlText } from '../../src/lib/checkin/xml.js'
import { chooseEndpoint } from '../../src/lib/checkin/transport.js'
import { checkinParameter, parseMethodCall, parseStringResponse, renderFault, renderMethodCall, renderStringResponse, XmlRpcFault } from '../../src/lib/checkin/xmlrpc.js'
import { CheckinRefusedError, ConfigError } from '../../src/lib/errors.js'

function caught(work: () => unknown): unknown {
  try {
    work()
  } catch (error) {
    return error
  }
  return undefined
}

t.test('INI files read as Python configparser reads them', async (t) => {
  const ini = parseIni(
    [
      '# comment',
      '[DEFAULT]',
      'enabled = 1',
      '[global]',
      'server: https://mm.example.org/xmlrpc',
      '  ; indented comment',
      '[site]',
      'Name = Example.com',
      'password=50%% off %(name)s',
      '[Fedora Linux]',
      'enabled=0          (ignored)',
      'path = /srv/a',
      '  /srv/b',
      '',
      '[host]',
      'name=mirror.example.com',
    ].join('\n'),
    'test.conf',
  )
  t.same(ini.sections, ['global', 'site', 'Fedora Linux', 'host'], 'section names keep their case, DEFAULT is not a section')
  t.equal(ini.get('global', 'server'), 'https://mm.example.org/xmlrpc', '":" separates too')
  t.equal(ini.get('global', 'enabled'), '1', 'DEFAULT values are seen in every section')
  t.equal(ini.get('site', 'NAME'), 'Example.com', 'keys are case-insensitive')
  t.equal(ini.get('site', 'password'), '50% off Example.com', '%% and %(key)s interpolate')
  t.equal(ini.get('Fedora Linux', 'enabled'), '0          (ignored)', 'no inline comments')
  t.equal(ini.get('Fedora Linux', 'path'), '/srv/a\n/srv/b', 'indented lines continue a value')
  t.same(ini.options('host').sort(), ['enabled', 'name'])
  t.equal(ini.hasSection('DEFAULT'), false)

  t.throws(() => parseIni('[a]\nx=1\n[a]\n', 'f'), ConfigError, 'duplicate section')
  t.throws(() => parseIni('[a]\nx=1\nX=2\n', 'f'), /key "x" appears twice/, 'duplicate key, case-insensitively')
  t.throws(() => parseIni('x=1\n', 'f'), /before any \[section\]/)
  t.throws(() => parseIni('[a]\njust words\n', 'f'), /f, line 2: expected "key = value"/)
  t.throws(() => parseIni('[a]\np=100%\n', 'f').get('a', 'p'), /"%" must be written "%%"/, 'a lone % is an error, as in Python')
})

t.test('Python json.dumps bytes', async (t) => {
  t.equal(
    pythonJsonDumps({ version: 0, site: { name: 'Exämple', list: ['a', 'b'] }, stats: {}, dirtree: new Map([['', {}], ['9', {}]]) }),
    '{"version": 0, "site": {"name": "Ex\\u00e4mple", "list": ["a", "b"]}, "stats": {}, "dirtree": {"": {}, "9": {}}}',
    'separators, ensure_ascii, insertion order of a Map (integer-like keys stay in place)',
  )
  t.equal(pythonJsonDumps('\u007f\u{1F600}\u0001\b"\\/'), '"\\u007f\\ud83d\\ude00\\u0001\\b\\"\\\\/"', 'escapes as Python writes them')
})

t.test('XML-RPC: parse calls, render replies', async (t) => {
  const python = "<?xml version='1.0'?>\n<methodCall>\n<methodName>checkin</methodName>\n<params>\n<param>\n<value><string>QlpoOTFB&amp;x</string></value>\n</param>\n</params>\n</methodCall>\n"
  t.same(parseMethodCall(python), { methodName: 'checkin', params: ['QlpoOTFB&x'] }, 'what xmlrpc.client sends')
  t.equal(renderMethodCall('checkin', ['QlpoOTFB&x']), python, 'and what we send is the same bytes')
  t.same(parseMethodCall('<methodCall><methodName>checkin</methodName><params><param><value>untyped</value></param></params></methodCall>').params, ['untyped'])
  t.same(
    parseMethodCall(`<methodCall><methodName>checkin</methodName><params><param><value><base64>${Buffer.from('abc').toString('base64')}</base64></value></param></params></methodCall>`).params,
    ['abc'],
    'Python bytes arrive as base64',
  )
  const faultCode = (body: string) => {
    try {
      parseMethodCall(body)
    } catch (error) {
      return (error as XmlRpcFault).faultCode
    }
    return 0
  }
  t.equal(faultCode('<methodCall><methodName>x</methodName>'), -32700, 'unclosed')
  t.equal(faultCode('<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaa">]><methodCall/>'), -32700, 'DTD (entity bombs) refused')
  t.equal(faultCode('<methodCall><methodName>a &bogus; b</methodName></methodCall>'), -32700, 'unknown entity')
  t.equal(faultCode('<other/>'), -32600, 'not a methodCall')
  t.equal(faultCode(`${'<a>'.repeat(100)}${'</a>'.repeat(100)}`), -32700, 'nesting is bounded')

  const reply = renderStringResponse('Category A directories updated: 1  added: 0  deleted 0\nchecked in <ok> & done')
  t.equal(parseStringResponse(reply), 'Category A directories updated: 1  added: 0  deleted 0\nchecked in <ok> & done', 'round trip')
  t.match(caught(() => parseStringResponse(renderFault(new XmlRpcFault(-32601, 'no such method')))), { faultCode: -32601, faultString: 'no such method' })
})

t.test('payload validation: the messages of the reference server', async (t) => {
  const valid = {
    version: 0,
    global: { enabled: '1', server: 'x' },
    site: { enabled: '1', name: 'S', password: 'p' },
    host: { enabled: '1', name: 'h', user_active: 'yes' },
    stats: {},
    'fedora linux': { enabled: '1', dirtree: { '': {}, 'releases/': {}, '/releases': {}, a: { 'file.iso': 12 } } },
    'fedora epel': { enabled: '0', dirtree: { '': {} } },
  }
  const payload = validateCheckinPayload(valid)
  t.same(payload, {
    siteName: 'S',
    sitePassword: 'p',
    hostName: 'h',
    userActive: true,
    categories: [{ key: 'fedora linux', paths: ['', 'releases', 'a'] }],
  }, 'paths normalised and unique; file stats ignored; disabled sections skipped')
  t.equal(validateCheckinPayload({ ...valid, host: { name: 'h', user_active: 'no' } }).userActive, false)
  t.equal(validateCheckinPayload({ ...valid, host: { name: 'h' } }).userActive, undefined)
  const message = (config: unknown) => {
    try {
      validateCheckinPayload(config)
    } catch (error) {
      t.type(error, CheckinRefusedError)
      return (error as Error).message.split('\n')[0]
    }
    return 'accepted'
  }
  t.equal(message([]), 'config file is not a dict.')
  t.equal(message({ ...valid, version: undefined }), 'config file version is not 0, is undefined.')
  t.equal(message({ global: {} }), 'config file has no version field.')
  t.equal(message({ ...valid, version: '0' }), 'config file version is not 0, is "0".', 'the version is a number')
  t.equal(message({ ...valid, site: undefined }), 'config file section [site] is not a dict.')
  t.equal(message({ version: 0, global: { enabled: '1' }, host: {} }), 'config file missing section site.')
  t.equal(message({ ...valid, global: { enabled: 1 } }), 'config file section [global] not enabled.', 'enabled is the string "1"')
  t.equal(message({ ...valid, site: { name: 'S' } }), 'config file [site] missing required option password.')
  t.equal(message({ ...valid, 'fedora linux': { enabled: '1' } }), 'section [fedora linux] missing required option dirtree.')
})

t.test('pickles are recognised by their bytes, never loaded', async (t) => {
  t.ok(looksLikePickle(Buffer.from([0x80, 0x04, 0x95])), 'protocol 2+')
  t.ok(looksLikePickle(Buffer.from("(dp0\nS'version'\np1\nI0\ns.")), 'protocol 0 dict')
  t.ok(looksLikePickle(Buffer.from('}q\x00(U\x07versionq\x01K\x00u.', 'latin1')), 'protocol 1 dict')
  t.notOk(looksLikePickle(Buffer.from('{"version": 0}')), 'JSON')
  t.match(caught(() => parsePayloadBytes(Buffer.from([0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e]))), { reason: 'pickle' })
  t.match(caught(() => parsePayloadBytes(Buffer.from([0xff, 0xfe]))), { reason: 'malformed', message: 'The check-in data is not UTF-8 text.' })
  t.same(parsePayloadBytes(Buffer.from('{"version": 0}')), { version: 0 })
})

t.test('rate limiting: a token bucket per site name', async (t) => {
  let now = 0
  const limiter = new RateLimiter({ burst: 2, perHour: 60, now: () => now })
  t.ok(limiter.take('Site').allowed)
  t.ok(limiter.take('site').allowed, 'site names are compared case-insensitively')
  t.same(limiter.take('SITE'), { allowed: false, retryAfterSeconds: 60 })
  t.ok(limiter.take('other').allowed, 'another site has its own bucket')
  now += 60_000
  t.ok(limiter.take('site').allowed, 'one token back after a minute at 60 per hour')
  t.notOk(limiter.take('site').allowed)
  const small = new RateLimiter({ burst: 1, perHour: 1, maxKeys: 2, now: () => now })
  for (const key of ['a', 'b', 'c', 'd']) small.take(key)
  t.ok(small.take('e').allowed, 'the table of buckets is bounded')
})

t.test('transport: XML-RPC unless the JSON endpoint is named or asked for', async (t) => {
  t.same(chooseEndpoint('https://mm.example.org/xmlrpc', 'auto'), { url: 'https://mm.example.org/xmlrpc', transport: 'xmlrpc' })
  t.same(chooseEndpoint('https://mm.example.org/api/checkin', 'auto'), { url: 'https://mm.example.org/api/checkin', transport: 'json' })
  t.same(chooseEndpoint('https://mm.example.org/xmlrpc', 'json'), { url: 'https://mm.example.org/api/checkin', transport: 'json' })
  t.same(chooseEndpoint('https://mm.example.org/mm/xmlrpc/', 'json'), { url: 'https://mm.example.org/mm/api/checkin', transport: 'json' })
  t.throws(() => chooseEndpoint('mm.example.org', 'auto'), ConfigError)
  t.throws(() => chooseEndpoint('ftp://mm.example.org/xmlrpc', 'auto'), ConfigError)
})

t.test('reply lines and exclude files', async (t) => {
  t.equal(
    categoryReplyLine({ category: 'Fedora Linux', updated: 120, added: 3, deleted: 0 }),
    'Category Fedora Linux directories updated: 120  added: 3  deleted 0',
    'two spaces before "added" and "deleted", no colon after deleted',
  )
  t.same(parseExcludePatterns('# comment\n/debug/\n\n  /source/  \n'), ['/debug/', '/source/'], 'blank lines never exclude everything')
})

/** Feeds `text` in `size`-byte chunks; how many bytes were fed when the scan answered. */
function scan(text: string | Buffer, size = 7): { result: IdentityScanResult; fed: number } {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text)
  const scanner = new IdentityScanner()
  for (let at = 0; at < bytes.length; at += size) {
    const result = scanner.feed(bytes.subarray(at, at + size))
    if (result) return { result, fed: Math.min(bytes.length, at + size) }
  }
  return { result: scanner.end(), fed: bytes.length }
}

const IDENTITY = '"version": 0, "global": {"enabled": "1", "server": "https://mm/xmlrpc"}, "site": {"enabled": "1", "name": "Example.com", "password": "s\\u00e9cret\\""}, "host": {"enabled": "1", "name": "mirror.example.com", "user_active": "0"}'
const DIRTREE = `"fedora linux": {"enabled": "1", "dirtree": {${Array.from({ length: 2000 }, (_, i) => `"releases/${i}/a\\"b": {}`).join(', ')}}}`

t.test('regression (issue 15, defect 1): the identity is read without reading the dirtrees', async (t) => {
  // Python 3 report_mirror: version, global, site, host, stats, then the categories.
  const modern = `{${IDENTITY}, "stats": {}, ${DIRTREE}}`
  const first = scan(modern)
  t.ok(first.result.complete)
  t.ok(first.fed < IDENTITY.length + 20, `the scan stopped after the identity (${first.fed} of ${modern.length} bytes)`)
  const expected = JSON.parse(modern)
  delete expected.stats
  delete expected['fedora linux']
  t.same(first.result.skeleton, expected, 'the four identity sections, exactly as JSON.parse reads them')
  t.same(validateCheckinIdentity(first.result.skeleton), { siteName: 'Example.com', sitePassword: 'sécret"', hostName: 'mirror.example.com', userActive: false })

  // Python 2 report_mirror (2016-2019) wrote dict keys in hash order: the identity may come last.
  const legacy = `{${DIRTREE}, "stats": {"x": [1, 2.5e3, true, null, {"y": "\\\\"}]}, ${IDENTITY}}`
  for (const size of [1, 5, 64 * 1024]) {
    const last = scan(legacy, size)
    t.ok(last.result.complete, `identity after the dirtree (chunks of ${size})`)
    t.same(last.result.skeleton, expected, 'nothing but the identity sections is kept')
  }

  t.match(scan('{"version": 0, "site": {"name": "x", "password": "y"}}').result, { complete: false, skeleton: { version: 0, site: { name: 'x' } } })
  t.throws(() => validateCheckinIdentity(scan('{"version": 0, "global": {"enabled": "1"}}').result.skeleton), { message: /config file missing section site\./ })
  t.same(scan('[1, 2]').result, { skeleton: [], complete: false }, 'not an object: refused by validation as before')
  t.throws(() => validateCheckinIdentity(scan('"text"').result.skeleton), { message: /config file is not a dict/ })

  const refusal = (text: string | Buffer) => caught(() => scan(text))
  for (const bad of ['{"version": 0,', '{"version" 0}', '{"a": [1,}', '{"a": tru}', '{"a": 1} x', '{,}', '']) {
    t.match(refusal(bad), { reason: 'malformed', message: 'The check-in data is not valid JSON.' }, `not JSON: ${JSON.stringify(bad)}`)
  }
  t.match(refusal(Buffer.from([0x80, 0x02, 0x7d])), { reason: 'pickle' }, 'pickle protocol 2')
  t.match(refusal("(dp0\nS'version'"), { reason: 'pickle' }, 'pickle protocol 0')
  t.match(refusal(Buffer.concat([Buffer.from('{"site": {"name": "'), Buffer.from([0xff]), Buffer.from('"}}')])), { message: 'The check-in data is not UTF-8 text.' })
  t.match(refusal(`{"site": {"name": "x", "password": "${'p'.repeat(70_000)}"}}`), { reason: 'too-large' }, 'the identity sections are small or refused')
  t.notOk(refusal(`{"${'k'.repeat(100_000)}": 1, "version": 0}`), 'a long top-level key is skipped, not kept')
})

t.test('regression (issue 15, defect 7): NUL and control characters are refused as malformed, before the database', async (t) => {
  const identity = (site: string, host = 'h', password = 'p') =>
    caught(() => validateCheckinIdentity({ version: 0, global: { enabled: '1' }, site: { name: site, password }, host: { name: host } }))
  t.match(identity('Exa\u0000mple'), { reason: 'malformed', message: /\[site\] option name contains control characters/ })
  t.match(identity('Example', 'mirror\u0001'), { reason: 'malformed', message: /\[host\] option name contains control characters/ })
  t.match(identity('Example', 'h', 'pass\u0000word'), { reason: 'malformed', message: /\[site\] option password contains a NUL character/ })
  t.match(identity('x'.repeat(1025)), { reason: 'malformed', message: /longer than 1024 characters/ })
  t.notOk(identity('Example', 'h', 'tab\there'), 'a password may hold other characters')
  const payload = (dirtree: Record<string, unknown>) =>
    caught(() => validateCheckinPayload({ version: 0, global: { enabled: '1' }, site: { name: 's', password: 'p' }, host: { name: 'h' }, c: { dirtree } }))
  t.match(payload({ 'releases/\u0000': {} }), { reason: 'malformed', message: /section \[c\] dirtree has a directory name with a NUL character/ })
  t.notOk(payload({ 'odd\nname': {} }), 'other control characters may be in a file name: ignored like any unknown directory')
  t.equal(escapeXmlText('a\u0000b\u0001c\td\ud800e<'), 'a\ufffdb\ufffdc\td\ufffde&lt;', 'replies stay well-formed XML')
})

t.test('regression (issue 15, defect 2): failures are counted per client address, IPv6 per /64', async (t) => {
  t.equal(clientAddressKey('192.0.2.7'), '192.0.2.7')
  t.equal(clientAddressKey('::ffff:192.0.2.7'), '192.0.2.7', 'IPv4-mapped')
  t.equal(clientAddressKey('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64')
  t.equal(clientAddressKey('2001:db8:1:2::1'), '2001:db8:1:2::/64', 'same /64, same key')
  t.equal(clientAddressKey('2001:0db8:0001:0002:ffff::9'), '2001:db8:1:2::/64', 'leading zeros')
  t.equal(clientAddressKey('2001:db8::1'), '2001:db8:0:0::/64')
  t.equal(clientAddressKey('::1'), '0:0:0:0::/64')
  t.equal(clientAddressKey('fe80::1%eth0'), 'fe80:0:0:0::/64')
  let now = 0
  const limiter = new RateLimiter({ burst: 1, perHour: 60, now: () => now })
  t.ok(limiter.peek('a').allowed)
  t.ok(limiter.peek('a').allowed, 'peek takes nothing')
  limiter.take('a')
  t.same(limiter.peek('a'), { allowed: false, retryAfterSeconds: 60 })
})

t.test('issue 15, defect 1: the wire text is decoded without copies, the body read off the event loop', async (t) => {
  // bytes whose base64 has both "+" and "/" (standard) or "-" and "_" (urlsafe)
  const bytes = Buffer.concat([Buffer.from('BZh9'), Buffer.from([0xfb, 0xff, 0xfe, 0x3e, 0x3f, 0x00])])
  const standard = bytes.toString('base64')
  t.match(standard, /[+/]/)
  const urlsafe = standard.replaceAll('+', '-').replaceAll('/', '_')
  t.same(legacyWireBytes(urlsafe), bytes, 'urlsafe alphabet, padded as Python sends it')
  t.same(legacyWireBytes(standard), bytes, 'standard alphabet')
  t.same(legacyWireBytes(`${urlsafe.slice(0, 4)}\n ${urlsafe.slice(4, 9)}\r\n\t${urlsafe.slice(9)}\n`), bytes, 'whitespace anywhere is skipped')
  for (const bad of [`${urlsafe}!`, `${urlsafe.slice(0, 4)}*${urlsafe.slice(4)}`, `=${urlsafe}`, `${urlsafe.slice(0, -1)}===`, 'QlpoO', Buffer.from('not bzip2').toString('base64')]) {
    t.match(caught(() => legacyWireBytes(bad)), { reason: 'malformed' }, JSON.stringify(bad))
  }

  const call = renderMethodCall('checkin', [urlsafe])
  t.equal(checkinParameter(Buffer.from(call)), urlsafe)
  t.match(caught(() => checkinParameter(Buffer.from([0x3c, 0xff]))), { faultCode: -32700, faultString: 'parse error: the request is not UTF-8' })
  t.match(caught(() => checkinParameter(Buffer.from(renderMethodCall('system.listMethods', [])))), { faultCode: -32601 })
  t.match(caught(() => checkinParameter(Buffer.from(renderMethodCall('checkin', ['a', 'b'])))), { faultCode: -32602 })

  // Only bytes that own their whole buffer are transferred: a pooled Buffer shares its slab.
  const pooled = Buffer.from('small')
  t.not(pooled.byteLength, pooled.buffer.byteLength)
  t.same(transferList(pooled), [])
  const big = Buffer.allocUnsafeSlow(64 * 1024)
  t.same(transferList(big), [big.buffer])
  t.same(transferList(big.subarray(1)), [], 'a slice stays a copy')
  const copy = owned(big.subarray(1))
  t.equal(copy.byteLength, big.byteLength - 1)
  t.same(transferList(copy), [copy.buffer], 'owned() gives a slice its own buffer, to transfer')
})
