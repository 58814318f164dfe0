/**
 * A public mirror network for the public pages: Fedora 41/40/rawhide and EPEL 9 over
 * x86_64 and aarch64; public mirrors on four continents (placed, up to date or behind or
 * never crawled), and the hosts that must never be shown: a private host, a host disabled
 * by an admin, one disabled by its owner, a host of a private site, one of a disabled site,
 * and a private URL. Propagation measurements over a week; access statistics are added by
 * the tests (from a log, through `stats ingest`).
 */
import type { Sql } from '../../src/lib/db/sql.js'

async function id(rows: Promise<{ id: number }[]>): Promise<number> {
  return (await rows)[0]!.id
}

export interface PublicMirrorSpec {
  site: string
  host: string
  country: string
  urls: string[]
  bandwidth?: number
  internet2?: boolean
  latitude?: number
  longitude?: number
  /** true/false: crawled, up to date or not; undefined: never crawled */
  upToDate?: boolean
  categories?: string[]
  privateHost?: boolean
  privateSite?: boolean
  hostAdminActive?: boolean
  hostUserActive?: boolean
  siteActive?: boolean
  privateUrls?: string[]
  comment?: string
}

export const PUBLIC_MIRRORS: PublicMirrorSpec[] = [
  { site: 'Lysator', host: 'ftp.lysator.example', country: 'SE', urls: ['https://ftp.lysator.example/pub/fedora/linux', 'rsync://ftp.lysator.example/fedora'], bandwidth: 10000, internet2: true, latitude: 58.41, longitude: 15.62, upToDate: true, categories: ['Fedora Linux', 'Fedora EPEL'] },
  { site: 'Uni Stuttgart', host: 'ftp.stuttgart.example', country: 'DE', urls: ['http://ftp.stuttgart.example/fedora', 'ftp://ftp.stuttgart.example/fedora'], bandwidth: 1000, latitude: 48.78, longitude: 9.18, upToDate: true },
  { site: 'Kernel Mirrors <EU>', host: 'mirror.nl.example', country: 'NL', urls: ['https://mirror.nl.example/fedora'], bandwidth: 2000, latitude: 52.37, longitude: 4.9, upToDate: false, comment: 'syncs every 6 hours' },
  { site: 'RIKEN', host: 'ftp.riken.example', country: 'JP', urls: ['http://ftp.riken.example/Linux/fedora'], bandwidth: 1000, latitude: 35.68, longitude: 139.69, upToDate: true },
  { site: 'AARNet', host: 'mirror.aarnet.example', country: 'AU', urls: ['https://mirror.aarnet.example/fedora'], bandwidth: 10000, latitude: -33.87, longitude: 151.21, upToDate: true, categories: ['Fedora Linux', 'Fedora EPEL'] },
  { site: 'MIT', host: 'mirrors.mit.example', country: 'US', urls: ['https://mirrors.mit.example/fedora', 'rsync://mirrors.mit.example/fedora'], bandwidth: 10000, internet2: true, latitude: 42.36, longitude: -71.09, upToDate: true },
  { site: 'OSUOSL', host: 'ftp.osuosl.example', country: 'US', urls: ['https://ftp.osuosl.example/pub/fedora'], bandwidth: 1000, latitude: 44.56, longitude: -123.26, upToDate: false },
  { site: 'UFPR', host: 'fedora.c3sl.example', country: 'BR', urls: ['http://fedora.c3sl.example/fedora'], bandwidth: 1000, latitude: -25.43, longitude: -49.27 },
  { site: 'Univ. Cape Town', host: 'mirror.uct.example', country: 'ZA', urls: ['https://mirror.uct.example/fedora'], bandwidth: 500, upToDate: true },
  { site: 'Lysator', host: 'secret-urls.lysator.example', country: 'SE', urls: ['https://public-too.lysator.example/fedora'], privateUrls: ['https://private-url.lysator.example/fedora'], latitude: 58.41, longitude: 15.62, upToDate: true },
  // never shown
  { site: 'Campus', host: 'private-host.example', country: 'SE', urls: ['http://private-host.example/fedora'], privateHost: true, upToDate: true, latitude: 1, longitude: 1 },
  { site: 'Disabled by admin', host: 'admin-disabled.example', country: 'DE', urls: ['http://admin-disabled.example/fedora'], hostAdminActive: false, upToDate: true, latitude: 1, longitude: 1 },
  { site: 'Disabled by owner', host: 'user-disabled.example', country: 'DE', urls: ['http://user-disabled.example/fedora'], hostUserActive: false, upToDate: true, latitude: 1, longitude: 1 },
  { site: 'Private site', host: 'private-site.example', country: 'FR', urls: ['http://private-site.example/fedora'], privateSite: true, upToDate: true, latitude: 1, longitude: 1 },
  { site: 'Disabled site', host: 'disabled-site.example', country: 'FR', urls: ['http://disabled-site.example/fedora'], siteActive: false, upToDate: true, latitude: 1, longitude: 1 },
  { site: 'Only private URLs', host: 'only-private.example', country: 'FR', urls: [], privateUrls: ['http://only-private.example/fedora'], upToDate: true, latitude: 1, longitude: 1 },
]

export const NEVER_SHOWN = ['private-host.example', 'admin-disabled.example', 'user-disabled.example', 'private-site.example', 'disabled-site.example', 'only-private.example', 'private-url.lysator.example']

export interface PublicNetwork {
  repositories: Map<string, number>
  directories: Map<string, number>
}

const FEDORA_TOP = 'pub/fedora/linux'
const EPEL_TOP = 'pub/epel'

export async function buildPublicNetwork(sql: Sql, mirrors: PublicMirrorSpec[] = PUBLIC_MIRRORS, now = Date.now()): Promise<PublicNetwork> {
  const directories = new Map<string, number>()
  const repositories = new Map<string, number>()
  const nowSeconds = Math.floor(now / 1000)
  const dir = async (name: string, ctime: number) => {
    const dirId = await id(sql`insert into directory (name, ctime) values (${name}, ${ctime}) returning id`)
    directories.set(name, dirId)
    return dirId
  }
  const fedora = await id(sql`insert into product (name) values ('Fedora') returning id`)
  const epel = await id(sql`insert into product (name) values ('EPEL') returning id`)
  const fedoraTop = await dir(FEDORA_TOP, nowSeconds - 86400)
  const epelTop = await dir(EPEL_TOP, nowSeconds - 30 * 86400)
  const categories = new Map<string, { id: number; top: string }>()
  categories.set('Fedora Linux', { id: await id(sql`insert into category (name, product_id, topdir_id) values ('Fedora Linux', ${fedora}, ${fedoraTop}) returning id`), top: FEDORA_TOP })
  categories.set('Fedora EPEL', { id: await id(sql`insert into category (name, product_id, topdir_id) values ('Fedora EPEL', ${epel}, ${epelTop}) returning id`), top: EPEL_TOP })
  await sql`insert into category_directory (category_id, directory_id) values (${categories.get('Fedora Linux')!.id}, ${fedoraTop}), (${categories.get('Fedora EPEL')!.id}, ${epelTop})`
  const arches = new Map((await sql<{ id: number; name: string }[]>`select id, name from arch`).map((a) => [a.name, a.id]))
  const repos: [number, string, string, string, string, number][] = []
  for (const [version, ctimeAge] of [['41', 3600], ['40', 10 * 86400], ['rawhide', 600]] as const) {
    const versionId = await id(sql`insert into version (product_id, name) values (${fedora}, ${version}) returning id`)
    for (const arch of ['x86_64', 'aarch64']) {
      const prefix = version === 'rawhide' ? 'rawhide' : `updates-released-f${version}`
      repos.push([versionId, 'Fedora Linux', `${version === 'rawhide' ? 'development/rawhide' : `updates/${version}`}/Everything/${arch}`, prefix, arch, ctimeAge])
      if (version !== 'rawhide') repos.push([versionId, 'Fedora Linux', `releases/${version}/Everything/${arch}/os`, `fedora-${version}`, arch, 200 * 86400])
    }
  }
  const epel9 = await id(sql`insert into version (product_id, name) values (${epel}, '9') returning id`)
  repos.push([epel9, 'Fedora EPEL', '9/Everything/x86_64', 'epel-9', 'x86_64', 2 * 86400])
  for (const [versionId, category, path, prefix, arch, age] of repos) {
    const { id: categoryId, top } = categories.get(category)!
    const parts = path.split('/')
    let directoryId = 0
    for (let i = 1; i <= parts.length; i++) {
      const name = `${top}/${parts.slice(0, i).join('/')}`
      directoryId = directories.get(name) ?? (await dir(name, i === parts.length ? nowSeconds - age : nowSeconds - 400 * 86400))
      await sql`insert into category_directory (category_id, directory_id) values (${categoryId}, ${directoryId}) on conflict do nothing`
    }
    repositories.set(`${prefix}/${arch}`, await id(sql`insert into repository (name, prefix, category_id, version_id, arch_id, directory_id)
      values (${`${prefix} ${arch}`}, ${prefix}, ${categoryId}, ${versionId}, ${arches.get(arch)!}, ${directoryId}) returning id`))
  }
  const sites = new Map<string, number>()
  for (const mirror of mirrors) {
    let siteId = sites.get(mirror.site)
    if (siteId === undefined) {
      siteId = await id(sql`insert into site (name, org_url, private, admin_active, user_active)
        values (${mirror.site}, ${`https://${mirror.host.split('.').slice(1).join('.')}/`}, ${mirror.privateSite ?? false}, ${mirror.siteActive ?? true}, ${mirror.siteActive ?? true}) returning id`)
      sites.set(mirror.site, siteId)
    }
    const crawled = mirror.upToDate === undefined ? null : new Date(now - 2 * 3600_000)
    const hostId = await id(sql`insert into host (site_id, name, country, bandwidth_int, internet2, private, admin_active, user_active, latitude, longitude, last_crawled, comment)
      values (${siteId}, ${mirror.host}, ${mirror.country}, ${mirror.bandwidth ?? 100}, ${mirror.internet2 ?? false}, ${mirror.privateHost ?? false},
              ${mirror.hostAdminActive ?? true}, ${mirror.hostUserActive ?? true}, ${mirror.latitude ?? null}, ${mirror.longitude ?? null}, ${crawled}, ${mirror.comment ?? null}) returning id`)
    for (const name of mirror.categories ?? ['Fedora Linux']) {
      const category = categories.get(name)!
      const hostCategoryId = await id(sql`insert into host_category (host_id, category_id) values (${hostId}, ${category.id}) returning id`)
      for (const url of mirror.urls) {
        await sql`insert into host_category_url (host_category_id, url) values (${hostCategoryId}, ${name === 'Fedora Linux' ? url : `${url}-epel`})`
      }
      for (const url of mirror.privateUrls ?? []) {
        await sql`insert into host_category_url (host_category_id, url, private) values (${hostCategoryId}, ${name === 'Fedora Linux' ? url : `${url}-epel`}, true)`
      }
      if (mirror.upToDate === undefined) continue
      const repoDirs = await sql<{ directoryId: number; name: string }[]>`
        select r.directory_id, d.name from repository r join directory d on d.id = r.directory_id where r.category_id = ${category.id}`
      for (const repoDir of repoDirs) {
        await sql`insert into host_category_dir (host_category_id, directory_id, path, up2date, last_checked)
          values (${hostCategoryId}, ${repoDir.directoryId}, ${repoDir.name.slice(category.top.length + 1)}, ${mirror.upToDate}, ${crawled})`
      }
    }
  }
  // a week of propagation runs, twice a day: mirrors catch up after each push
  for (const key of ['updates-released-f41/x86_64', 'updates-released-f40/x86_64', 'epel-9/x86_64']) {
    for (let run = 14; run >= 1; run--) {
      const datetime = new Date(now - run * 12 * 3600_000)
      const phase = run % 4
      const sameDay = [9, 3, 5, 7][phase]!
      const oneDay = [0, 4, 3, 1][phase]!
      const twoDay = [0, 1, 1, 0][phase]!
      await sql`insert into propagation_stat (repository_id, datetime, same_day, one_day, two_day, older, no_info)
        values (${repositories.get(key)!}, ${datetime}, ${sameDay}, ${oneDay}, ${twoDay}, ${phase === 1 ? 1 : 0}, 1)`
    }
  }
  return { repositories, directories }
}

/** Access-log lines in serve-mirrorlist's format, `perDay` per day over `days` days ending `last`. */
export function accessLogLines(last: string, days: number, perDay: (dayIndex: number) => number): string[] {
  const countries = ['US', 'US', 'US', 'DE', 'DE', 'SE', 'JP', 'BR', 'N/A', 'IR', 'GB', 'FR', 'CN', 'IN', 'AU']
  const repos = ['updates-released-f41', 'updates-released-f41', 'fedora-41', 'updates-released-f40', 'epel-9', 'rawhide']
  const archs = ['x86_64', 'x86_64', 'x86_64', 'aarch64']
  const lines: string[] = []
  const lastTime = Date.parse(`${last}T00:00:00Z`)
  let n = 0
  for (let d = days - 1; d >= 0; d--) {
    const date = new Date(lastTime - d * 86_400_000).toISOString().slice(0, 10)
    for (let i = 0; i < perDay(days - 1 - d); i++, n++) {
      lines.push(`IP: 192.0.2.${n % 250}; DATE: ${date}; COUNTRY: ${countries[(n * 7) % countries.length]}; REPO: ${repos[(n * 5) % repos.length]}; ARCH: ${archs[n % archs.length]}`)
    }
  }
  return lines
}
