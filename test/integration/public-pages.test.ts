import t from 'tap'
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { locateHosts, openCityDatabase, setHostCoordinates } from '../../src/lib/geo/host-locations.js'
import { publicMirrorList } from '../../src/lib/public/mirror-list.js'
import { propagationRepositories, propagationSeries } from '../../src/lib/public/propagation.js'
import { rsyncFilter } from '../../src/lib/public/rsync-filter.js'
import { exportPublicPages } from '../../src/http/web/public/export.js'
import { renderMirrorList } from '../../src/http/web/public/render-mirrors.js'
import { existsSync, readdirSync } from 'node:fs'
import { expireStatistics } from '../../src/lib/stats/expire.js'
import { AccessCounter } from '../../src/lib/stats/access-counter.js'
import { ingestAccessLogs } from '../../src/lib/stats/ingest.js'
import { readLines } from '../../src/lib/stats/read-log.js'
import { statisticsDay, statisticsOverview } from '../../src/lib/stats/queries.js'
import type { Sql } from '../../src/lib/db/sql.js'
import { databaseKinds, openTestDatabase } from '../helpers/database.js'
import { accessLogLines, buildPublicNetwork, NEVER_SHOWN } from '../helpers/public-network.js'

const work = mkdtempSync(join(tmpdir(), 'mm-public-int-'))
t.teardown(() => rmSync(work, { recursive: true, force: true }))
const CITY_DB = join(import.meta.dirname, '..', 'fixtures', 'geoip', 'city.mmdb')

const line = (ip: number, date: string, country = 'SE', repo = 'fedora-41', arch = 'x86_64') =>
  `IP: 192.0.2.${ip}; DATE: ${date}; COUNTRY: ${country}; REPO: ${repo}; ARCH: ${arch}\n`

async function totals(sql: Sql): Promise<Record<string, number>> {
  const rows = await sql<{ date: string; accesses: number }[]>`select to_char(date, 'YYYY-MM-DD') as date, accesses from access_stat_day order by date`
  return Object.fromEntries(rows.map((r) => [r.date, r.accesses]))
}

t.test('stats ingest reads a log larger than its read buffer: lines across chunk ends, resume mid-file, a 70 KiB garbage line', async (t) => {
  const log = join(work, 'big-access.log')
  const lines = Array.from({ length: 16_000 }, (_, i) => line(i % 250, `2026-11-${String(1 + (i % 28)).padStart(2, '0')}`))
  const text = lines.join('')
  t.ok(text.length > 1024 * 1024 + 100, 'more than one 1 MiB read')
  writeFileSync(log, text + 'x'.repeat(70 * 1024) + '\n' + line(1, '2026-11-30') + 'IP: 192.0.2.1; DATE: 2026-')
  const count = async (from: number) => {
    const counter = new AccessCounter({ embargoed: new Set(), categoryOf: () => undefined })
    const { end } = await readLines(log, false, from, (buffer, start, stop) => counter.addLines(buffer, start, stop))
    const { accesses, malformed } = counter.result()
    return { end, lines: counter.lines, malformed, requests: [...accesses.values()].reduce((a, b) => a + b, 0) }
  }
  const whole = await count(0)
  t.same(whole, { end: Buffer.byteLength(text) + 70 * 1024 + 1 + line(1, '2026-11-30').length, lines: 16_002, malformed: 1, requests: 16_001 },
    'every line once; the 70 KiB line is one malformed line; the unfinished last line waits')
  const half = lines.slice(0, 8_000).join('').length
  t.same(await count(half), { end: whole.end, lines: 8_002, malformed: 1, requests: 8_001 }, 'resumed mid-file at a line start')
})

for (const kind of databaseKinds()) {
  t.test(`${kind}: stats ingest counts every line once across reruns, rotation and compression`, async (t) => {
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    const dir = mkdtempSync(join(work, `${kind}-`))
    const log = join(dir, 'access.log')
    writeFileSync(log, line(1, '2026-11-23') + line(2, '2026-11-23', 'DE') + 'broken line\n' + line(3, '2026-11-24', 'IR', 'epel-9'))
    const first = await ingestAccessLogs(db.sql, [log])
    t.same(first.files.map((f) => [f.lines, f.malformed, f.recognisedBy]), [[4, 1, 'new']])
    t.same(await totals(db.sql), { '2026-11-23': 2, '2026-11-24': 1 })

    const again = await ingestAccessLogs(db.sql, [log])
    t.same(again.files.map((f) => [f.lines, f.recognisedBy]), [[0, 'inode']], 'ingest twice: nothing new')
    t.same(await totals(db.sql), { '2026-11-23': 2, '2026-11-24': 1 }, 'counts unchanged')

    // the server writes on, half a line is not read yet
    appendFileSync(log, line(4, '2026-11-24') + 'IP: 192.0.2.5; DATE: 2026-11-24; COUN')
    t.same((await ingestAccessLogs(db.sql, [log])).files.map((f) => f.lines), [1], 'an unfinished last line waits')
    appendFileSync(log, 'TRY: SE; REPO: fedora-41; ARCH: x86_64\n')
    // logrotate: rename, the server reopens a new file; then the old one is compressed
    renameSync(log, `${log}.1`)
    writeFileSync(log, line(6, '2026-11-25') + line(7, '2026-11-25'))
    const rotated = await ingestAccessLogs(db.sql, [log, `${log}.1`])
    t.same(rotated.files.map((f) => [f.lines, f.recognisedBy]), [[2, 'new'], [1, 'inode']], 'the rotated file is read from where it stopped')
    t.same(await totals(db.sql), { '2026-11-23': 2, '2026-11-24': 3, '2026-11-25': 2 })
    writeFileSync(`${log}.1.gz`, gzipSync(readFileSync(`${log}.1`)))
    rmSync(`${log}.1`)
    appendFileSync(log, line(8, '2026-11-25'))
    const compressed = await ingestAccessLogs(db.sql, [log, `${log}.1.gz`])
    t.same(compressed.files.map((f) => [f.lines, f.recognisedBy]), [[1, 'inode'], [0, 'head']], 'the compressed copy is recognised by its first bytes')
    t.same(await totals(db.sql), { '2026-11-23': 2, '2026-11-24': 3, '2026-11-25': 3 })
    // an old compressed log never seen before is read whole
    const old = join(dir, 'access.log.9.gz')
    writeFileSync(old, gzipSync(line(9, '2026-11-20') + line(10, '2026-11-20', 'N/A')))
    t.same((await ingestAccessLogs(db.sql, [old])).files.map((f) => [f.lines, f.recognisedBy]), [[2, 'new']])
    // copytruncate: the same inode starts again from the beginning
    copyFileSync(log, `${log}.2`)
    writeFileSync(log, line(11, '2026-11-26'))
    t.same((await ingestAccessLogs(db.sql, [log])).files.map((f) => [f.lines, f.recognisedBy]), [[1, 'new']], 'a truncated file is read from its start')

    const day = await statisticsDay(db.sql, '2026-11-24', 'countries')
    t.same(day.rows.map((r) => [r.name, r.requests]), [['SE', 2], ['embargoed', 1]])
    t.equal(Math.round(day.rows[0]!.percent * 100) / 100, 66.67, 'percent of the day, as MirrorManager2 stores it')
    t.equal(day.previous, '2026-11-23')
    t.equal(day.next, '2026-11-25')
    const overview = await statisticsOverview(db.sql, 30)
    t.equal(overview.latest, '2026-11-26')
    t.equal(overview.daily.length, 30)
    t.same(overview.topCountries[0], { name: 'SE', requests: 8 })

    await t.rejects(ingestAccessLogs(db.sql, [join(dir, 'missing.log')]), { code: 'MM_NOT_FOUND' })
  })

  t.test(`${kind}: stats expire`, async (t) => {
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    const today = new Date().toISOString().slice(0, 10)
    const log = join(work, `${kind}-expire.log`)
    writeFileSync(log, `${accessLogLines(today, 40, () => 2).join('\n')}\n`)
    await ingestAccessLogs(db.sql, [log])
    t.equal(Object.keys(await totals(db.sql)).length, 40)
    await buildPublicNetwork(db.sql)
    const result = await expireStatistics(db.sql, { days: 30, propagationDays: 3 })
    t.equal(result.days, 10, '--days 30 keeps today and the 29 days before')
    t.equal(Object.keys(await totals(db.sql)).length, 30)
    t.ok(result.propagationStats > 0)
    const [{ oldest }] = await db.sql<{ oldest: Date }[]>`select min(datetime) as oldest from propagation_stat`
    t.ok(oldest.getTime() >= Date.now() - 3 * 86_400_000 - 60_000)
    await t.rejects(expireStatistics(db.sql, { days: -1 }), { code: 'MM_INVALID_INPUT' })
  })

  t.test(`${kind}: mirror list, propagation, rsync filter and host coordinates over the database`, async (t) => {
    const db = await openTestDatabase(kind)
    t.teardown(() => db.destroy())
    const now = Date.now()
    const network = await buildPublicNetwork(db.sql, undefined, now)

    const all = await publicMirrorList(db.sql)
    t.equal(all.mirrors.length, 10)
    const text = JSON.stringify(all)
    for (const name of NEVER_SHOWN) t.notOk(text.includes(name), `${name} never appears`)
    const epel = await publicMirrorList(db.sql, { product: 'EPEL', version: '9', arch: 'x86_64' })
    t.same(epel.mirrors.map((m) => m.host).sort(), ['ftp.lysator.example', 'mirror.aarnet.example'])
    t.same(epel.mirrors[0]!.categories.map((c) => c.name), ['Fedora EPEL'], 'only the categories asked for')
    const ignored = await publicMirrorList(db.sql, { product: 'Nope', version: '41', country: 'XX' })
    t.same(ignored.filter, {}, 'unknown names are ignored')
    t.equal(ignored.mirrors.length, 10)
    const us = await publicMirrorList(db.sql, { product: 'Fedora', country: 'us', sort: 'bandwidth' })
    t.same(us.mirrors.map((m) => m.host), ['mirrors.mit.example', 'ftp.osuosl.example'])
    t.same(us.filter, { product: 'Fedora', country: 'US' })

    const repos = await propagationRepositories(db.sql)
    t.same(repos.map((r) => r.prefix), ['updates-released-f40', 'updates-released-f41', 'epel-9'].sort((a, b) => (a.startsWith('epel') ? -1 : b.startsWith('epel') ? 1 : a.localeCompare(b))))
    const series = await propagationSeries(db.sql, network.repositories.get('updates-released-f41/x86_64')!)
    t.equal(series.points.length, 14)
    t.ok(series.points[0]!.datetime < series.points[13]!.datetime, 'oldest first')
    t.equal((await propagationSeries(db.sql, network.repositories.get('updates-released-f41/x86_64')!, 2)).points.length, 3, 'the last 2 days: runs 12, 24 and 36 hours ago')
    await t.rejects(propagationSeries(db.sql, 999999), { code: 'MM_NOT_FOUND' })

    const since = Math.floor(now / 1000) - 2 * 3600
    const filter = await rsyncFilter(db.sql, { categories: 'Fedora Linux,Fedora EPEL', since: String(since), stripprefix: 'pub/fedora/linux' })
    t.same(
      filter.split('\n').filter((l) => l.startsWith('+ ') || l.startsWith('- ')),
      ['+ development/', '+ development/*', '+ development/rawhide/', '+ development/rawhide/*', '+ development/rawhide/Everything/', '+ development/rawhide/Everything/*',
        '+ development/rawhide/Everything/aarch64/', '+ development/rawhide/Everything/aarch64/*', '+ development/rawhide/Everything/x86_64/', '+ development/rawhide/Everything/x86_64/*',
        '+ updates/', '+ updates/*', '+ updates/41/', '+ updates/41/*', '+ updates/41/Everything/', '+ updates/41/Everything/*',
        '+ updates/41/Everything/aarch64/', '+ updates/41/Everything/aarch64/*', '+ updates/41/Everything/x86_64/', '+ updates/41/Everything/x86_64/*', '- *'],
      'the directories changed in the last 2 hours and their parents',
    )
    const nothing = await rsyncFilter(db.sql, { categories: 'Fedora Linux', since: String(Math.floor(now / 1000) + 10), stripprefix: 'pub' })
    t.notOk(nothing.includes('+ '), 'nothing changed: nothing included')

    // host locate over a City database: names are IP literals, no DNS
    const [site] = await db.sql<{ id: number }[]>`insert into site (name) values ('Loopback') returning id`
    const add = async (name: string, url: string) => {
      const [host] = await db.sql<{ id: number }[]>`insert into host (site_id, name, country) values (${site!.id}, ${name}, 'SE') returning id`
      const [hc] = await db.sql<{ id: number }[]>`insert into host_category (host_id, category_id) select ${host!.id}, id from category where name = 'Fedora Linux' returning id`
      await db.sql`insert into host_category_url (host_category_id, url) values (${hc!.id}, ${url})`
      return host!.id
    }
    await add('127.0.0.1', 'http://127.0.0.11/fedora')
    await add('127.0.0.2', 'https://127.0.0.2:8443/fedora')
    const embargoed = await add('127.0.0.3', 'http://127.0.0.3/fedora')
    await db.sql`update host set latitude = 1, longitude = 1 where id = ${embargoed}`
    await add('127.0.0.4', 'http://127.0.0.4/fedora')
    const resolve = async (name: string) => (/^[\d.]+$/.test(name) ? [name] : [])
    const result = await locateHosts(db.sql, await openCityDatabase(CITY_DB), resolve)
    t.same(result.placed.map((p) => [p.host, p.latitude, p.longitude]), [['Loopback/127.0.0.1', 59.3294, 18.0687], ['Loopback/127.0.0.2', 52.52, 13.405]])
    t.same(result.skipped.map((s) => s.host), [...new Set([...result.skipped.map((s) => s.host)])])
    t.match(result.skipped.find((s) => s.host === 'Loopback/127.0.0.3')?.reason, /embargoed country \(IR\)/)
    t.ok(result.skipped.some((s) => s.host === 'Loopback/127.0.0.4'), 'an address without a location is reported')
    t.ok(result.skipped.some((s) => s.host === 'Lysator/ftp.lysator.example'), 'a name that does not resolve is reported')
    const [cleared] = await db.sql<{ latitude: number | null }[]>`select latitude from host where id = ${embargoed}`
    t.equal(cleared!.latitude, null, 'stale coordinates of an embargoed host are cleared')
    const [lysator] = await db.sql<{ latitude: number }[]>`select latitude from host where name = 'ftp.lysator.example'`
    t.equal(lysator!.latitude, 58.41, 'a host that cannot be placed keeps its coordinates')

    await setHostCoordinates(db.sql, 'Loopback/127.0.0.2', { latitude: 48.1, longitude: 11.6 })
    const second = await locateHosts(db.sql, await openCityDatabase(CITY_DB), resolve)
    t.ok(second.manual.includes('Loopback/127.0.0.2'))
    const [manual] = await db.sql<{ latitude: number }[]>`select latitude from host where name = '127.0.0.2'`
    t.equal(manual!.latitude, 48.1, 'coordinates set by hand are not overwritten')
    await t.rejects(setHostCoordinates(db.sql, '127.0.0.2', { latitude: 91, longitude: 0 }), { code: 'MM_INVALID_INPUT' })
    await t.rejects(setHostCoordinates(db.sql, '127.0.0.2', { latitude: 1 }), { code: 'MM_INVALID_INPUT' })
    const auto = await setHostCoordinates(db.sql, '127.0.0.2', { auto: true })
    t.same([auto.latitude, auto.manual], [null, false])
    await t.rejects(openCityDatabase(join(work, 'missing.mmdb')), { code: 'MM_CONFIG_INVALID' })
  })
}

t.test('generate-pages writes the served pages as static files, replacing the directory as a whole', async (t) => {
  const db = await openTestDatabase('embedded')
  t.teardown(() => db.destroy())
  await buildPublicNetwork(db.sql)
  const log = join(work, 'export.log')
  writeFileSync(log, `${accessLogLines(new Date().toISOString().slice(0, 10), 3, () => 5).join('\n')}\n`)
  await ingestAccessLogs(db.sql, [log])
  const out = join(work, 'site')
  const first = await exportPublicPages(db.sql, out, { basePath: '/mm' })
  t.equal(first.pages.statisticsDays, 3)
  t.equal(first.pages.propagation, 3)
  for (const file of ['index.html', 'static/mirrormanager.css', 'mirrors/index.html', 'mirrors.json', 'mirrors/Fedora/41/x86_64/index.html', 'mirrors/Fedora/41/x86_64.json',
    'statistics/index.html', 'propagation/index.html', 'maps/index.html', 'maps/mirrors.svg', 'map/mirrors_location.txt']) {
    t.ok(existsSync(join(out, file)), file)
  }
  const list = await publicMirrorList(db.sql, { product: 'Fedora', version: '41', arch: 'x86_64' })
  t.equal(
    readFileSync(join(out, 'mirrors/Fedora/41/x86_64/index.html'), 'utf8'),
    renderMirrorList({ basePath: '/mm', interactive: false }, list, '/mm/mirrors/Fedora/41/x86_64', '/mm/mirrors/Fedora/41/x86_64.json').toString(),
    'the same renderer as the served page',
  )
  t.same(JSON.parse(readFileSync(join(out, 'mirrors/Fedora/41/x86_64.json'), 'utf8')), JSON.parse(JSON.stringify(list)))
  t.notOk(readFileSync(join(out, 'mirrors/index.html'), 'utf8').includes('<form'), 'no forms a static server cannot answer')
  t.match(readFileSync(join(out, 'maps/mirrors.svg'), 'utf8'), /^<\?xml[^]*<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^]*<circle/)
  writeFileSync(join(out, 'stale.html'), 'old')
  await exportPublicPages(db.sql, out)
  t.notOk(existsSync(join(out, 'stale.html')), 'the old set is replaced, not merged')
  t.same(readdirSync(work).filter((name) => name.includes('.new-')), [], 'no staging directory left behind')
})
