/**
 * IPv4 and IPv6 are checked separately for every host: resolve both families, open a
 * TCP connection to each URL's port over each family. A broken AAAA record (the most
 * common real-world fault) shows up as "IPv6 unreachable" instead of hiding behind a
 * working IPv4 path.
 */
import { lookup } from 'node:dns/promises'
import { connect } from 'node:net'
import { reasonOf } from './connectors/connector.js'
import type { FamilyReachability } from './types.js'

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443, 'ftp:': 21, 'rsync:': 873 }

function tcpConnect(address: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port, timeout: timeoutMs })
    const done = (error: string | null) => {
      signal.removeEventListener('abort', onAbort)
      socket.destroy()
      resolve(error)
    }
    const onAbort = () => done('aborted')
    signal.addEventListener('abort', onAbort, { once: true })
    socket.once('connect', () => done(null))
    socket.once('timeout', () => done(`connect timeout after ${timeoutMs} ms`))
    socket.once('error', (error) => done(reasonOf(error)))
  })
}

async function addresses(hostname: string): Promise<Map<4 | 6, string>> {
  const found = new Map<4 | 6, string>()
  try {
    for (const entry of await lookup(hostname, { all: true })) {
      const family = entry.family as 4 | 6
      if (!found.has(family)) found.set(family, entry.address)
    }
  } catch {
    // no address at all: both families unreachable
  }
  return found
}

/** One row per (family, protocol) for the distinct endpoints among `urls`. */
export async function checkFamilies(urls: string[], timeoutMs: number, signal: AbortSignal): Promise<FamilyReachability[]> {
  const endpoints = new Map<string, { protocol: string; hostname: string; port: number }>()
  for (const text of urls) {
    let url: URL
    try {
      url = new URL(text)
    } catch {
      continue
    }
    const port = url.port ? Number(url.port) : DEFAULT_PORTS[url.protocol]
    if (port === undefined) continue
    const protocol = url.protocol.replace(/:$/, '')
    if (!endpoints.has(protocol)) endpoints.set(protocol, { protocol, hostname: url.hostname.replace(/^\[|\]$/g, ''), port })
  }
  const rows: FamilyReachability[] = []
  await Promise.all(
    [...endpoints.values()].map(async ({ protocol, hostname, port }) => {
      const found = await addresses(hostname)
      for (const family of [4, 6] as const) {
        const address = found.get(family) ?? null
        const error = address ? await tcpConnect(address, port, timeoutMs, signal) : `no IPv${family} address`
        rows.push({ family, protocol, address, reachable: error === null, error })
      }
    }),
  )
  return rows.sort((a, b) => a.protocol.localeCompare(b.protocol) || a.family - b.family)
}
