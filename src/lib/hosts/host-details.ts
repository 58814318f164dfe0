import type { Sql } from '../db/sql.js'
import { getHost, type Host } from './hosts.js'
import { listHostEntries, listHostListEntries } from './host-lists.js'

export interface HostCategoryDetails {
  category: string
  alwaysUp2date: boolean
  urls: { url: string; private: boolean }[]
}

/** A host with everything an admin sets on it (`host show`). */
export interface HostDetails extends Host {
  categories: HostCategoryDetails[]
  netblocks: string[]
  /** netblock -> its --name, for the named ones */
  netblockNames: Record<string, string>
  peerAsns: number[]
  countriesAllowed: string[]
  aclIps: string[]
}

export async function getHostDetails(sql: Sql, reference: string): Promise<HostDetails> {
  const host = await getHost(sql, reference)
  const categories = await sql<HostCategoryDetails[]>`select c.name as category, hc.always_up2date,
      coalesce((select json_agg(json_build_object('url', u.url, 'private', u.private) order by u.url)
        from host_category_url u where u.host_category_id = hc.id), '[]'::json) as urls
    from host_category hc join category c on c.id = hc.category_id
    where hc.host_id = ${host.id} order by c.name`
  return {
    ...host,
    categories: categories.map((c) => ({ ...c, urls: [...c.urls] })),
    netblocks: (await listHostListEntries(sql, 'netblock', host.id)) as string[],
    netblockNames: Object.fromEntries(
      (await listHostEntries(sql, 'netblock', String(host.id))).flatMap((entry) => (entry.name ? [[String(entry.value), entry.name]] : [])),
    ),
    peerAsns: (await listHostListEntries(sql, 'peer-asn', host.id)) as number[],
    countriesAllowed: (await listHostListEntries(sql, 'country-allowed', host.id)) as string[],
    aclIps: (await listHostListEntries(sql, 'acl-ip', host.id)) as string[],
  }
}

/** `host show` for people: one "category" line each, "name [always up to date]: url, url (private)". */
export function hostDetailsLines(details: HostDetails): [string, unknown][] {
  const { categories, netblockNames, ...host } = details
  // Netblocks with their names: "192.0.2.0/24 (campus)".
  host.netblocks = host.netblocks.map((netblock) => (netblockNames[netblock] ? `${netblock} (${netblockNames[netblock]})` : netblock))
  const categoryLines = categories.map((c): [string, unknown] => {
    const urls = c.urls.map((u) => (u.private ? `${u.url} (private)` : u.url)).join(', ')
    return ['category', `${c.category}${c.alwaysUp2date ? ' [always up to date]' : ''}: ${urls || 'no URLs'}`]
  })
  return [...(Object.entries(host) as [string, unknown][]), ...categoryLines]
}
