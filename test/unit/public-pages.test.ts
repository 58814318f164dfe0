import t from 'tap'
import { columnGeometry, formatCount, rowGeometry, stackedShareGeometry } from '../../src/http/web/charts/geometry.js'
import { dailyRequestsChart, propagationChart, topChart } from '../../src/http/web/charts/svg.js'
import { projectPoint, worldMap } from '../../src/http/web/charts/world-map.js'
import { PageCache } from '../../src/http/web/public/page-cache.js'
import { isDate } from '../../src/http/web/public/plugin.js'
import { renderMirrorList } from '../../src/http/web/public/render-mirrors.js'
import { mostFrequentLocation } from '../../src/lib/geo/host-locations.js'
import { mapLocationsText, MAP_LOCATIONS_HEADER } from '../../src/lib/public/map-locations.js'
import { groupByContinent, groupMirrors, sortMirrors, type HostCategoryRow, type PublicMirror } from '../../src/lib/public/mirror-list.js'
import { compareVersionNames } from '../../src/lib/public/product-matrix.js'
import { parseRsyncFilterQuery, renderRsyncFilter, rsyncIncludes } from '../../src/lib/public/rsync-filter.js'
import { parseAccessLine } from '../../src/lib/stats/access-log-line.js'
import { AccessCounter } from '../../src/lib/stats/access-counter.js'
import { accessLogLine } from '../../src/http/mirrorlist/access-log.js'
import { fillDays } from '../../src/lib/stats/queries.js'

t.test('rsync filter: MirrorManager2 include rules, and the fixes', async (t) => {
  const cases: { name: string; dirs: string[]; strip: string; includes: string[] }[] = [
    {
      name: 'the prefix components are dropped and every parent is included',
      dirs: ['pub/fedora/linux/updates/41/Everything/x86_64'],
      strip: 'pub/fedora/linux',
      includes: ['updates/', 'updates/41/', 'updates/41/Everything/', 'updates/41/Everything/x86_64/'],
    },
    { name: 'the prefix is counted, not compared (MirrorManager2)', dirs: ['a/b/c/d'], strip: 'x/y', includes: ['c/', 'c/d/'] },
    { name: 'an empty stripprefix still drops one component', dirs: ['pub/epel/9'], strip: '', includes: ['epel/', 'epel/9/'] },
    { name: 'a trailing slash drops one more', dirs: ['pub/epel/9/x'], strip: 'pub/', includes: ['9/', '9/x/'] },
    { name: 'a directory equal to the prefix gives "/" (MirrorManager2)', dirs: ['pub/epel'], strip: 'pub/epel', includes: ['/'] },
    {
      name: 'shared parents once, sorted by code point (upper case first)',
      dirs: ['t/a/x', 't/a/y', 't/B/z'],
      strip: 't',
      includes: ['B/', 'B/z/', 'a/', 'a/x/', 'a/y/'],
    },
    { name: 'nothing changed: no includes', dirs: [], strip: 'pub', includes: [] },
  ]
  for (const c of cases) t.same(rsyncIncludes(c.dirs, c.strip), c.includes, c.name)

  t.equal(
    renderRsyncFilter(['updates/', 'updates/41/']),
    '# rsync --exclude-from=(this file)\n\n# includes\n\n+ updates/\n+ updates/*\n+ updates/41/\n+ updates/41/*\n\n# excludes\n\n- *\n\n# end of list\n',
    'exact text; everything else is excluded with "- *" (MirrorManager2 wrote "+ *")',
  )
  const queries: [Record<string, string | undefined>, string | undefined][] = [
    [{ since: '1', stripprefix: 'pub' }, 'Missing categories, since, or stripprefix arguments'],
    [{ categories: 'Fedora Linux', stripprefix: 'pub' }, 'Missing categories, since, or stripprefix arguments'],
    [{ categories: 'Fedora Linux', since: '1' }, 'Missing categories, since, or stripprefix arguments'],
    [{ categories: 'A', since: 'yesterday', stripprefix: 'pub' }, 'value of argument since is not an integer'],
    [{ categories: 'A', since: '1.5', stripprefix: 'pub' }, 'value of argument since is not an integer'],
    [{ categories: 'A', since: '', stripprefix: 'pub' }, 'value of argument since is not an integer'],
    [{ categories: 'A', since: ' 1700000000 ', stripprefix: 'pub' }, undefined],
    [{ categories: 'A', since: '-5', stripprefix: 'pub' }, undefined],
    [{ categories: 'A', since: '1_700_000_000', stripprefix: 'pub' }, undefined],
  ]
  for (const [query, message] of queries) {
    const parsed = parseRsyncFilterQuery(query)
    t.equal(parsed.ok ? undefined : parsed.message, message, JSON.stringify(query))
  }
  const parsed = parseRsyncFilterQuery({ categories: 'Fedora Linux,Fedora EPEL', since: '1_700_000_000', stripprefix: 'pub' })
  t.same(parsed, { ok: true, categories: ['Fedora Linux', 'Fedora EPEL'], since: 1_700_000_000, stripprefix: 'pub' })
  const error = renderRsyncFilter([], 'value of argument since is not an integer')
  t.match(error, /^# rsync --exclude-from=\(this file\)\n\n# value of argument since is not an integer\n\n# includes\n\n\n# excludes\n\n- \*\n/, 'an error excludes everything')
  t.notOk(error.includes('+ '), 'and includes nothing')
  t.notOk(renderRsyncFilter([], 'a\nb').includes('\nb'), 'a message cannot add a rule line')
})

t.test('access log lines: the server format parses, broken lines do not', async (t) => {
  const line = accessLogLine({ ip: '2001:db8::1', country: 'SE', repo: 'updates-released-f41', arch: 'x86_64' }, '2026-11-23').trimEnd()
  t.equal(line, 'IP: 2001:db8::1; DATE: 2026-11-23; COUNTRY: SE; REPO: updates-released-f41; ARCH: x86_64')
  t.same(parseAccessLine(line), { date: '2026-11-23', country: 'SE', repo: 'updates-released-f41', arch: 'x86_64' })
  t.same(parseAccessLine('IP: 192.0.2.1; DATE: 2026-01-01; COUNTRY: N/A; REPO: epel-9; ARCH: aarch64'), { date: '2026-01-01', country: 'N/A', repo: 'epel-9', arch: 'aarch64' })
  for (const broken of [
    '',
    'garbage',
    'IP: 192.0.2.1; DATE: 2026-11-23; COUNTRY: SE; REPO: fedora-41',
    'IP: 192.0.2.1; DATE: 2026-02-30; COUNTRY: SE; REPO: fedora-41; ARCH: x86_64',
    'IP: 192.0.2.1; DATE: 26-11-23; COUNTRY: SE; REPO: fedora-41; ARCH: x86_64',
    'IP: 192.0.2.1; DATE: 2026-11-23; COUNTRY: Sweden; REPO: fedora-41; ARCH: x86_64',
    'IP: 192.0.2.1; DATE: 2026-11-23; COUNTRY: SE; REPO: <script>; ARCH: x86_64',
    'IP: ; DATE: 2026-11-23; COUNTRY: SE; REPO: fedora-41; ARCH: x86_64',
    'IP: 192.0.2.1; DATE: 2026-11-23; COUNTRY: SE; REPO: fedora-41; ARCH x86_64',
  ]) {
    t.equal(parseAccessLine(broken), undefined, JSON.stringify(broken))
  }
})

t.test('the access counter: per-day counts, embargoed and unknown countries, malformed lines', async (t) => {
  const counter = new AccessCounter({ embargoed: new Set(['IR']), categoryOf: (repo) => (repo.startsWith('epel') ? 'Fedora EPEL' : repo === 'mystery' ? undefined : 'Fedora Linux') })
  const lines = [
    'IP: 192.0.2.1; DATE: 2026-11-23; COUNTRY: SE; REPO: fedora-41; ARCH: x86_64',
    'IP: 192.0.2.2; DATE: 2026-11-23; COUNTRY: SE; REPO: fedora-41; ARCH: x86_64',
    'IP: 192.0.2.3; DATE: 2026-11-23; COUNTRY: IR; REPO: epel-9; ARCH: aarch64',
    'IP: 192.0.2.4; DATE: 2026-11-24; COUNTRY: N/A; REPO: mystery; ARCH: x86_64',
    'IP: 192.0.2.5; DATE: 2026-11-24; COUNTRY',
    'not a line at all',
    'IP: ; DATE: 2026-11-24; COUNTRY: SE; REPO: fedora-41; ARCH: x86_64',
  ]
  for (const line of lines) counter.addText(line)
  const { counts, accesses, malformed } = counter.result()
  t.equal(malformed, 3)
  t.equal(counter.lines, 7)
  t.same(Object.fromEntries(accesses), { '2026-11-23': 3, '2026-11-24': 1 })
  const get = (category: string, date: string, name: string) => counts.find((c) => c.category === category && c.date === date && c.name === name)?.requests
  t.equal(get('countries', '2026-11-23', 'SE'), 2)
  t.equal(get('countries', '2026-11-23', 'embargoed'), 1, 'an embargoed country is never named')
  t.equal(get('countries', '2026-11-23', 'IR'), undefined)
  t.equal(get('countries', '2026-11-24', 'N/A'), 1)
  t.equal(get('archs', '2026-11-23', 'x86_64'), 2)
  t.equal(get('repositories', '2026-11-23', 'epel-9'), 1)
  t.equal(get('categories', '2026-11-23', 'Fedora Linux'), 2)
  t.equal(get('categories', '2026-11-24', 'Fedora Linux'), undefined, 'an unknown repository has no category row')
})

t.test('chart geometry', async (t) => {
  const box = { width: 500, height: 200, margin: { top: 10, right: 10, bottom: 20, left: 40 } }
  t.test('columns: heights proportional, baseline at the bottom margin', async (t) => {
    const g = columnGeometry([{ label: 'a', value: 50 }, { label: 'b', value: 100 }, { label: 'c', value: 0 }], box)
    t.equal(g.baseline, 180)
    t.equal(g.bars[2]!.height, 0, 'zero is no bar')
    t.equal(Math.round(g.bars[1]!.height), 170, 'the largest value reaches the top (domain niced to 100)')
    t.equal(Math.round(g.bars[0]!.height), 85)
    t.ok(g.bars[0]!.x >= 40 && g.bars[2]!.x + g.bars[2]!.width <= 490, 'inside the margins')
    t.same(g.yTicks.at(-1), { position: 10, label: '100' })
  })
  t.test('one day and all zeros: a valid chart, no NaN', async (t) => {
    for (const points of [[{ label: '2026-11-23', value: 7 }], [{ label: '2026-11-23', value: 0 }]]) {
      const g = columnGeometry(points, box)
      t.equal(g.bars.length, 1)
      t.ok(Number.isFinite(g.bars[0]!.height) && Number.isFinite(g.bars[0]!.x) && g.bars[0]!.width > 0)
      t.same(g.xTicks.map((x) => x.label), ['2026-11-23'])
    }
  })
  t.test('empty data', async (t) => {
    const g = columnGeometry([], box)
    t.same(g.bars, [])
    t.ok(g.yTicks.every((tick) => Number.isFinite(tick.position)))
    t.same(rowGeometry([], box).bars, [])
    t.match(dailyRequestsChart([], 'Requests').toString(), /No requests recorded yet/)
    t.match(topChart([], 'Top').toString(), /No data/)
    t.match(propagationChart([], 'Propagation').toString(), /No measurements yet/)
  })
  t.test('x labels are thinned so they never overlap, keeping the newest', async (t) => {
    const days = fillDays('2026-09-01', '2026-11-29', [])
    t.equal(days.length, 90)
    const g = columnGeometry(days.map((d) => ({ label: d.date, value: d.requests })), { ...box, width: 960 }, 70)
    t.equal(g.xTicks.at(-1)!.label, '2026-11-29')
    for (let i = 1; i < g.xTicks.length; i++) t.ok(g.xTicks[i]!.position - g.xTicks[i - 1]!.position >= 70)
  })
  t.test('stacked shares: each column sums to the full height; an empty run has no segments', async (t) => {
    const keys = ['a', 'b'] as const
    const g = stackedShareGeometry([{ label: 'one', a: 3, b: 1 }, { label: 'none', a: 0, b: 0 }], keys, box)
    const [one, none] = g.columns
    t.equal(Math.round(one!.segments.reduce((sum, s) => sum + s.height, 0)), 170)
    t.same(one!.segments.map((s) => s.share), [0.75, 0.25])
    t.same(none!.segments, [])
    t.equal(none!.total, 0)
    const single = stackedShareGeometry([{ label: 'only', a: 1, b: 0 }], keys, box)
    t.equal(single.columns[0]!.segments.length, 1, 'one point: one column, zero segments left out')
  })
  t.test('formatCount', async (t) => {
    t.same([0, 12, 999, 1200, 15000, 2_500_000, 3e9].map(formatCount), ['0', '12', '999', '1.2k', '15k', '2.5M', '3G'])
  })
  t.test('labels from the data are escaped in the SVG', async (t) => {
    const svg = topChart([{ name: '<script>alert(1)</script>', requests: 3 }], 'Top').toString()
    t.notOk(svg.includes('<script>'))
    t.ok(svg.includes('&lt;script&gt;'))
  })
})

t.test('the world map projects points and leaves bad ones out', async (t) => {
  const stockholm = projectPoint(59.33, 18.07)!
  const sydney = projectPoint(-33.87, 151.21)!
  t.ok(stockholm[0] < sydney[0] && stockholm[1] < sydney[1], 'north-west of Sydney')
  t.equal(projectPoint(91, 0), undefined)
  t.equal(projectPoint(Number.NaN, 0), undefined)
  const svg = worldMap(
    [
      { latitude: 59.33, longitude: 18.07, label: 'a & b', state: 'ok' },
      { latitude: 95, longitude: 0, label: 'off the map', state: 'stale' },
    ],
    'Map',
  ).toString()
  t.equal(svg.match(/<circle/g)?.length, 1)
  t.ok(svg.includes('a &amp; b'))
  t.ok(worldMap([], 'Empty').toString().includes('<path d="M'), 'the world without mirrors')
})

const row = (over: Partial<HostCategoryRow>): HostCategoryRow => ({
  hostCategoryId: 1, hostId: 1, site: 'S', siteUrl: null, host: 'h.example', country: 'SE', bandwidth: 100, internet2: false, comment: null,
  lastCrawled: null, latitude: null, longitude: null, category: 'Fedora Linux', alwaysUp2date: false, upToDate: null, ...over,
})

t.test('the mirror list: one mirror per host, no category without a public URL, state combined', async (t) => {
  const mirrors = groupMirrors(
    [
      row({ hostCategoryId: 1, hostId: 1, upToDate: true }),
      row({ hostCategoryId: 2, hostId: 1, category: 'Fedora EPEL', upToDate: false }),
      row({ hostCategoryId: 3, hostId: 2, host: 'b.example', country: 'US', bandwidth: 1000, upToDate: null, alwaysUp2date: true }),
      row({ hostCategoryId: 4, hostId: 3, host: 'c.example', country: 'DE' }),
    ],
    new Map([
      [1, [{ scheme: 'https', url: 'https://h.example/fedora' }]],
      [2, [{ scheme: 'http', url: 'http://h.example/epel' }]],
      [3, [{ scheme: 'rsync', url: 'rsync://b.example/fedora' }]],
    ]),
  )
  t.same(mirrors.map((m) => m.host), ['h.example', 'b.example'], 'a host whose only category has no public URL is not listed')
  t.same(mirrors[0]!.categories.map((c) => c.name), ['Fedora Linux', 'Fedora EPEL'])
  t.equal(mirrors[0]!.upToDate, false, 'behind in one category is behind')
  t.equal(mirrors[1]!.upToDate, true, 'always up to date')
  t.same(sortMirrors([...mirrors], 'bandwidth').map((m) => m.host), ['b.example', 'h.example'])
  t.same(sortMirrors([...mirrors], 'country').map((m) => m.host), ['h.example', 'b.example'])
  t.same(groupByContinent(mirrors).map((g) => g.name), ['Europe', 'North America'])
})

const mirror = (over: Partial<PublicMirror>): PublicMirror => ({
  hostId: 1, site: 'Site', siteUrl: null, host: 'h.example', country: 'SE', continent: 'EU', bandwidth: 100, internet2: false, comment: null,
  categories: [{ name: 'Fedora Linux', urls: [{ scheme: 'https', url: 'https://h.example:8443/fedora' }, { scheme: 'rsync', url: 'rsync://h.example/fedora' }] }],
  upToDate: true, lastCrawled: null, latitude: 59.3, longitude: 18.1, ...over,
})

t.test('mirrors_location.txt: MirrorManager2 columns, escaped site names, one row per http host', async (t) => {
  const text = mapLocationsText([
    mirror({ site: '<b>Evil</b>\tSite' }),
    mirror({ hostId: 2, host: 'same.example', categories: [{ name: 'x', urls: [{ scheme: 'http', url: 'http://h.example:8443/other' }] }] }),
    mirror({ hostId: 3, host: 'nowhere.example', latitude: null, longitude: null }),
  ])
  t.equal(
    text,
    `${MAP_LOCATIONS_HEADER}59.3\t18.1\t<a href='https://h.example:8443' rel='noopener noreferrer' target='_blank'>h.example:8443</a>\t&lt;b&gt;Evil&lt;/b&gt; Site\t24,24\t-12,-24\t/static/map/f-dot.png\n`,
  )
})

t.test('pages escape what comes from the database', async (t) => {
  const page = renderMirrorList(
    { basePath: '', interactive: true },
    { filter: {}, sort: 'country', countries: ['SE'], mirrors: [mirror({ site: '<img src=x onerror=alert(1)>', siteUrl: 'javascript:alert(1)', comment: '"><script>' })] },
    '/mirrors',
    '/mirrors.json',
  ).toString()
  t.notOk(page.includes('<img src=x'))
  t.notOk(page.includes('<script>'))
  t.notOk(page.includes('javascript:'), 'a site URL that is not http(s) is not linked')
})

t.test('small parts', async (t) => {
  t.same(['40', 'rawhide', '41', '9.10', '9.2', 'development'].sort(compareVersionNames), ['rawhide', 'development', '41', '40', '9.10', '9.2'])
  t.ok(isDate('2024-02-29'))
  t.notOk(isDate('2023-02-29'))
  t.notOk(isDate('2023-2-1'))
  t.notOk(isDate(undefined))
  t.same(mostFrequentLocation([{ latitude: 1, longitude: 1 }, { latitude: 2, longitude: 2 }, { latitude: 2, longitude: 2 }]), { latitude: 2, longitude: 2 })
  t.equal(mostFrequentLocation([]), undefined)
  let now = 0
  let renders = 0
  const cache = new PageCache(1000, 10, () => now)
  const render = async () => ({ body: `same ${++renders > 0 ? '' : ''}`, type: 'text/plain' })
  const first = await cache.get('k', render)
  t.equal((await cache.get('k', render)).etag, first.etag)
  t.equal(renders, 1, 'served from memory within the TTL')
  now = 5000
  const again = await cache.get('k', render)
  t.equal(renders, 2, 'rendered again after the TTL')
  t.equal(again.lastModified.getTime(), first.lastModified.getTime(), 'same bytes keep their Last-Modified')
  for (let i = 0; i < 50; i++) await cache.get(`junk ${i}`, render)
  t.ok((cache as unknown as { entries: Map<string, unknown> }).entries.size <= 10, 'bounded')
})
