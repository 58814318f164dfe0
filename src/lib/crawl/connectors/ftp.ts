/**
 * FTP: one control connection per category, LIST per directory, compare names and
 * sizes (a symlink counts as present). A server error on LIST (550, or 451 where a
 * broken server means "no such directory") makes that directory stale; a lost or timed
 * out connection makes the protocol unavailable. Listings are capped in bytes.
 */
import { Client, FTPError, FileType, type FileInfo } from 'basic-ftp'
import type { DirectoryVerdict, MasterDirectory } from '../types.js'
import { countRequest } from '../types.js'
import { ProtocolUnavailable, reasonOf, unavailable, type CategoryCheck, type CheckResult, type Connector } from './connector.js'

async function openFtp(check: CategoryCheck): Promise<{ client: Client; base: string }> {
  const url = new URL(check.url)
  const client = new Client(check.limits.requestTimeoutMs, { maxListingBytes: check.limits.maxListingBytes })
  const onAbort = () => client.close()
  check.signal.addEventListener('abort', onAbort, { once: true })
  let listed = 0
  client.trackProgress((info) => {
    if (info.type !== 'list') return
    check.counters.bytes += info.bytes - listed
    listed = info.bytes
  })
  countRequest(check.counters, 'ftp')
  try {
    await client.access({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port ? Number(url.port) : 21,
      user: url.username ? decodeURIComponent(url.username) : 'anonymous',
      password: url.password ? decodeURIComponent(url.password) : 'mirrormanager@',
    })
  } catch (error) {
    client.close()
    check.signal.removeEventListener('abort', onAbort)
    if (check.signal.aborted) throw check.signal.reason
    throw new ProtocolUnavailable(`ftp ${url.host}: ${reasonOf(error)}`)
  }
  const base = decodeURIComponent(url.pathname).replace(/\/+$/, '')
  return { client, base }
}

function listingMatches(directory: MasterDirectory, listing: FileInfo[]): boolean {
  const sizes = new Map(listing.map((entry) => [entry.name, entry]))
  return directory.files.every((file) => {
    const entry = sizes.get(file.name)
    if (!entry) return false
    return entry.type === FileType.SymbolicLink || entry.isSymbolicLink || entry.size === file.size
  })
}

async function directoryVerdict(check: CategoryCheck, client: Client, base: string, directory: MasterDirectory): Promise<DirectoryVerdict> {
  if (directory.files.length === 0) return 'up2date'
  countRequest(check.counters, 'ftp')
  try {
    const listing = await client.list(directory.path ? `${base}/${directory.path}` : base || '/')
    return listingMatches(directory, listing) ? 'up2date' : 'stale'
  } catch (error) {
    if (check.signal.aborted) throw check.signal.reason
    // 550 (no such directory), or a broken server's 451 for the same: stale, go on.
    if (error instanceof FTPError && !client.closed) return 'stale'
    throw new ProtocolUnavailable(`ftp: ${reasonOf(error)}`)
  }
}

export const ftpConnector: Connector = {
  protocol: 'ftp',
  accepts: (url) => url.protocol === 'ftp:',
  async check(check): Promise<CheckResult> {
    let opened: { client: Client; base: string }
    try {
      opened = await openFtp(check)
    } catch (error) {
      if (error instanceof ProtocolUnavailable) return unavailable(error.message)
      throw error
    }
    const verdicts = new Map<number, DirectoryVerdict>()
    try {
      for (const directory of check.directories) {
        verdicts.set(directory.id, await directoryVerdict(check, opened.client, opened.base, directory))
      }
    } catch (error) {
      if (error instanceof ProtocolUnavailable) return unavailable(error.message)
      throw error
    } finally {
      opened.client.close()
    }
    return { status: 'checked', verdicts }
  },
  async canary(check): Promise<string | null> {
    try {
      const { client, base } = await openFtp(check)
      try {
        countRequest(check.counters, 'ftp')
        await client.cd(base || '/')
        return null
      } catch (error) {
        if (check.signal.aborted) throw check.signal.reason
        return reasonOf(error)
      } finally {
        client.close()
      }
    } catch (error) {
      if (error instanceof ProtocolUnavailable) return error.message
      throw error
    }
  },
}
