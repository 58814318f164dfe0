/**
 * Cloud providers' published IP ranges into a host's netblocks (`netblocks cloud`): the
 * generalisation of MirrorManager2's update-EC2-netblocks, without its hard-coded site.
 *
 *   aws    https://ip-ranges.amazonaws.com/ip-ranges.json
 *          prefixes[].{ip_prefix, region, service}, ipv6_prefixes[].{ipv6_prefix, region, service}
 *   azure  ServiceTags_Public_*.json (weekly, from the Microsoft download centre)
 *          values[].properties.{region, systemService, addressPrefixes[]}
 *   gcp    https://www.gstatic.com/ipranges/cloud.json
 *          prefixes[].{ipv4Prefix | ipv6Prefix, scope, service}
 *
 * The netblocks the command adds carry a source mark (host_netblock.source,
 * "cloud:<provider>:<region>:<service>"); a later run removes only rows with that same
 * mark that the provider no longer lists. A netblock added by hand is never touched —
 * not even when the provider lists it too (then nothing is added).
 */
import { readFile } from 'node:fs/promises'
import { request } from 'undici'
import { inTransaction, type Sql } from '../db/sql.js'
import { NetworkError, RemoteRefusedError, ValidationError } from '../errors.js'
import { resolveHost } from '../hosts/host-ref.js'
import { formatCidr, parseCidr } from './cidr.js'

export type CloudProvider = 'aws' | 'azure' | 'gcp'

export const CLOUD_RANGE_URLS: Record<CloudProvider, string | undefined> = {
  aws: 'https://ip-ranges.amazonaws.com/ip-ranges.json',
  azure: undefined, // the file name changes weekly: give --from
  gcp: 'https://www.gstatic.com/ipranges/cloud.json',
}
export const DEFAULT_CLOUD_SERVICE: Record<CloudProvider, string | undefined> = { aws: 'EC2', azure: undefined, gcp: undefined }

const MAX_RANGES_BYTES = 128 * 1024 * 1024

type Json = Record<string, unknown>
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter((item): item is Json => typeof item === 'object' && item !== null) : [])

/** The prefixes of `region` (and `service`, when given) in a provider's published document. */
export function cloudPrefixes(provider: CloudProvider, document: unknown, region: string, service: string | undefined): string[] {
  const root = (typeof document === 'object' && document !== null ? document : {}) as Json
  const found: string[] = []
  if (provider === 'aws') {
    for (const entry of [...list(root.prefixes), ...list(root.ipv6_prefixes)]) {
      if (entry.region === region && (service === undefined || entry.service === service)) found.push(String(entry.ip_prefix ?? entry.ipv6_prefix))
    }
  } else if (provider === 'azure') {
    for (const entry of list(root.values)) {
      const properties = (entry.properties ?? {}) as Json
      if (properties.region !== region || (service !== undefined && properties.systemService !== service)) continue
      for (const prefix of Array.isArray(properties.addressPrefixes) ? properties.addressPrefixes : []) found.push(String(prefix))
    }
  } else {
    for (const entry of list(root.prefixes)) {
      if (entry.scope === region && (service === undefined || entry.service === service)) found.push(String(entry.ipv4Prefix ?? entry.ipv6Prefix))
    }
  }
  const normalized = new Set<string>()
  for (const text of found) {
    const cidr = parseCidr(text)
    if (!cidr || !text.includes('/')) throw new ValidationError(`${provider} ranges: "${text}" is not a CIDR block`, { field: 'from' })
    normalized.add(formatCidr(cidr))
  }
  return [...normalized].sort()
}

/** The provider's document from a file or an http(s) URL (capped). */
export async function loadCloudRanges(from: string): Promise<unknown> {
  let text: string
  if (/^https?:\/\//i.test(from)) {
    let answer
    try {
      answer = await request(from, { headersTimeout: 60_000, bodyTimeout: 60_000 })
    } catch (error) {
      throw new NetworkError(`${from}: ${(error as Error).message}`, { cause: error })
    }
    if (answer.statusCode !== 200) {
      await answer.body.dump().catch(() => {})
      throw new RemoteRefusedError(`${from}: HTTP ${answer.statusCode}`)
    }
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of answer.body) {
      size += (chunk as Buffer).length
      if (size > MAX_RANGES_BYTES) {
        answer.body.destroy()
        throw new ValidationError(`${from}: more than ${MAX_RANGES_BYTES} bytes`, { field: 'from' })
      }
      chunks.push(chunk as Buffer)
    }
    text = Buffer.concat(chunks).toString('utf8')
  } else {
    text = await readFile(from, 'utf8').catch((error: Error) => {
      throw new ValidationError(`${from}: ${error.message}`, { field: 'from', cause: error })
    })
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new ValidationError(`${from}: not JSON (${(error as Error).message})`, { field: 'from', cause: error })
  }
}

export interface CloudSyncOptions {
  host: string
  provider: CloudProvider
  region: string
  service?: string
  prefixes: readonly string[]
  dryRun?: boolean
}

export interface CloudSyncResult {
  host: string
  source: string
  added: string[]
  removed: string[]
  kept: number
  /** Listed by the provider but already on the host by hand: left as they are. */
  alreadyByHand: string[]
  dryRun: boolean
}

class DryRunRollback extends Error {}

/** A stored netblock as the provider's prefixes are written (a DNS name stays as it is). */
function canonical(netblock: string): string {
  const cidr = parseCidr(netblock)
  return cidr ? formatCidr(cidr) : netblock
}

export async function syncCloudNetblocks(sql: Sql, options: CloudSyncOptions): Promise<CloudSyncResult> {
  const source = `cloud:${options.provider}:${options.region}:${options.service ?? ''}`
  let result: CloudSyncResult | undefined
  try {
    await inTransaction(sql, async (tx) => {
      const host = await resolveHost(tx, options.host)
      const rows = await tx<{ id: number; netblock: string; source: string | null }[]>`
        select id, netblock, source from host_netblock where host_id = ${host.id} for update`
      const wanted = new Set(options.prefixes)
      const ours = rows.filter((row) => row.source === source)
      const present = new Map(rows.map((row) => [canonical(row.netblock), row]))
      const added = [...wanted].filter((prefix) => !present.has(prefix))
      const stale = ours.filter((row) => !wanted.has(canonical(row.netblock)))
      const alreadyByHand = [...wanted].filter((prefix) => present.has(prefix) && present.get(prefix)!.source !== source)
      if (stale.length > 0) await tx`delete from host_netblock where id = any(${stale.map((row) => row.id)}::int[])`
      for (const prefix of added) await tx`insert into host_netblock (host_id, netblock, name, source) values (${host.id}, ${prefix}, ${`${options.provider} ${options.region}`}, ${source})`
      result = {
        host: `${host.site}/${host.name}`,
        source,
        added,
        removed: stale.map((row) => row.netblock).sort(),
        kept: ours.length - stale.length,
        alreadyByHand,
        dryRun: options.dryRun === true,
      }
      if (options.dryRun) throw new DryRunRollback()
    })
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error
  }
  return result!
}
