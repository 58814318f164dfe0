/**
 * rsync: one `rsync --list-only -r` of the category URL (the system binary, through the
 * shared runner in src/lib/rsync), sizes compared with the master; a symlink counts as
 * present. A failed run (unknown module, refused, timeout, partial listing) or a
 * listing over the size cap makes the protocol unavailable: a partial listing is never
 * taken as proof that files are missing.
 */
import { listRsync } from '../../rsync/run-rsync.js'
import { ListingCollector } from '../listing-compare.js'
import { countRequest } from '../types.js'
import { reasonOf, unavailable, type CategoryCheck, type CheckResult, type Connector } from './connector.js'

function runOptions(check: CategoryCheck, extraArgs: string[] = []) {
  return {
    timeoutMs: check.limits.rsyncTimeoutMs,
    ioTimeoutSeconds: Math.max(1, Math.ceil(check.limits.requestTimeoutMs / 1000)),
    extraArgs,
  }
}

export const rsyncConnector: Connector = {
  protocol: 'rsync',
  accepts: (url) => url.protocol === 'rsync:',
  async check(check): Promise<CheckResult> {
    const collector = new ListingCollector(check.directories)
    countRequest(check.counters, 'rsync')
    let bytes = 0
    try {
      for await (const entry of listRsync(`${check.url}/`, runOptions(check))) {
        bytes += entry.path.length + 40
        if (bytes > check.limits.maxListingBytes) return unavailable(`rsync listing larger than ${check.limits.maxListingBytes} bytes`)
        if (check.signal.aborted) throw check.signal.reason
        collector.add(entry.path, entry.type, entry.size)
      }
    } catch (error) {
      if (check.signal.aborted) throw check.signal.reason
      return unavailable(reasonOf(error))
    } finally {
      check.counters.bytes += bytes
    }
    return { status: 'checked', verdicts: collector.verdicts(check.directories) }
  },
  async canary(check): Promise<string | null> {
    countRequest(check.counters, 'rsync')
    try {
      for await (const entry of listRsync(`${check.url}/`, runOptions(check, ['--no-recursive']))) void entry
      return null
    } catch (error) {
      if (check.signal.aborted) throw check.signal.reason
      return reasonOf(error)
    }
  },
}
