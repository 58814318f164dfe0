/**
 * HTTP/HTTPS: HEAD every stored file of every directory (a directory stops at its first
 * bad file), GET repomd.xml and compare its sha256 with the newest file detail.
 * 404/410 -> stale; 403 -> stale when the master directory is readable; no
 * Content-Length -> present; another size -> stale; 5xx or a redirect we do not follow
 * -> not confirmed. A connection failure makes the whole protocol unavailable.
 */
import { eachLimit } from '../each-limit.js'
import type { DirectoryVerdict, MasterDirectory, MasterFile } from '../types.js'
import { joinUrl, ProtocolUnavailable, reasonOf, unavailable, type CategoryCheck, type CheckResult, type Connector } from './connector.js'
import { isRepodataPath } from '../../master/repodata-path.js'

const REPOMD_MAX_BYTES = 16 * 1024 * 1024

export function isRepomd(directory: MasterDirectory, file: MasterFile): boolean {
  return file.name === 'repomd.xml' && isRepodataPath(directory.path)
}

/** Whether one stored file of a directory is on the mirror as the master has it. */
export async function fileMatches(check: CategoryCheck, directory: MasterDirectory, file: MasterFile, countAs: string): Promise<boolean> {
  const url = joinUrl(check.url, directory.path, file.name)
  if (isRepomd(directory, file) && directory.repomdSha256) {
    const got = await check.http.fetch(url, check.signal, check.counters, countAs, REPOMD_MAX_BYTES)
    return got.kind === 'ok' && got.sha256 === directory.repomdSha256
  }
  const head = await check.http.head(url, check.signal, check.counters, countAs)
  switch (head.kind) {
    case 'present':
      return head.size === null || head.size === file.size
    case 'forbidden':
      return !directory.readable
    default:
      return false
  }
}

async function directoryVerdict(check: CategoryCheck, directory: MasterDirectory, countAs: string): Promise<DirectoryVerdict> {
  for (const file of directory.files) {
    if (!(await fileMatches(check, directory, file, countAs))) return 'stale'
  }
  return 'up2date'
}

export function httpConnector(scheme: 'http' | 'https'): Connector {
  return {
    protocol: scheme,
    accepts: (url) => url.protocol === `${scheme}:`,
    async check(check): Promise<CheckResult> {
      const verdicts = new Map<number, DirectoryVerdict>()
      try {
        await eachLimit(check.directories, check.http.connections, async (directory) => {
          verdicts.set(directory.id, await directoryVerdict(check, directory, scheme))
        })
      } catch (error) {
        if (error instanceof ProtocolUnavailable) return unavailable(error.message)
        throw error
      }
      return { status: 'checked', verdicts }
    },
    async canary(check): Promise<string | null> {
      try {
        const head = await check.http.head(`${check.url}/`, check.signal, check.counters, scheme)
        if (head.kind === 'present' || head.kind === 'forbidden') return null
        return head.kind === 'missing' ? `HTTP ${head.status}` : head.reason
      } catch (error) {
        if (error instanceof ProtocolUnavailable) return reasonOf(error)
        throw error
      }
    },
  }
}
