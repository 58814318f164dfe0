/**
 * fullfiletimelist: one GET of the mirror's copy of the category's list, compared with
 * the master's short file lists (every stored file present with the same size). The
 * list is then verified against the content, so a mirror cannot pass by copying only
 * the list: every repomd.xml of a directory the list calls current is fetched and its
 * sha256 compared with the newest file detail, and a random sample of other files is
 * checked by HEAD. Any difference means the list does not describe the mirror: the
 * protocol is unavailable and the crawler falls back to the next one.
 */
import { StringDecoder } from 'node:string_decoder'
import { FullfiletimelistParser } from '../../master/fullfiletimelist.js'
import { eachLimit } from '../each-limit.js'
import { ListingCollector } from '../listing-compare.js'
import type { DirectoryVerdict, MasterDirectory, MasterFile } from '../types.js'
import { joinUrl, ProtocolUnavailable, unavailable, type CategoryCheck, type CheckResult, type Connector } from './connector.js'
import { fileMatches, isRepomd } from './http.js'

const PROTOCOL = 'fullfiletimelist'

async function readList(check: CategoryCheck, reference: string, pathPrefix: string): Promise<ListingCollector | string> {
  const url = new URL(reference, `${check.url}/`).href
  const collector = new ListingCollector(check.directories)
  const parser = new FullfiletimelistParser(url)
  const decoder = new StringDecoder('utf8')
  let rest = ''
  const feed = (line: string) => {
    const entry = parser.line(line)
    if (entry && entry.path.startsWith(pathPrefix)) collector.add(entry.path.slice(pathPrefix.length), entry.type, entry.size)
  }
  const outcome = await check.http.stream(url, check.signal, check.counters, PROTOCOL, check.limits.maxListingBytes, (chunk) => {
    const lines = (rest + decoder.write(chunk)).split('\n')
    rest = lines.pop() ?? ''
    for (const line of lines) feed(line)
  })
  if (outcome.kind !== 'ok') return outcome.kind === 'missing' ? `${url}: HTTP ${outcome.status}` : `${url}: ${outcome.reason}`
  feed(rest + decoder.end())
  try {
    parser.finish()
  } catch (error) {
    return (error as Error).message
  }
  return collector
}

interface Sample {
  directory: MasterDirectory
  file: MasterFile
}

/** Every repomd.xml of the directories called current, plus `size` other files at random. */
function pickSample(directories: MasterDirectory[], size: number): Sample[] {
  const repomd: Sample[] = []
  const others: Sample[] = []
  for (const directory of directories) {
    for (const file of directory.files) (isRepomd(directory, file) ? repomd : others).push({ directory, file })
  }
  for (let i = 0; i < Math.min(size, others.length); i++) {
    const j = i + Math.floor(Math.random() * (others.length - i))
    ;[others[i], others[j]] = [others[j], others[i]]
  }
  return [...repomd, ...others.slice(0, size)]
}

/**
 * Returns a reason when the list is not trustworthy: a repomd.xml the list calls current
 * that is not the master's newest, or a sampled file missing or of another size. A
 * mirror that is consistently behind lists its old repomd.xml with the old size and
 * passes (that directory is simply stale); one whose list and content disagree is
 * crawled file by file instead.
 */
async function verifySample(check: CategoryCheck, verdicts: ReadonlyMap<number, DirectoryVerdict>): Promise<string | null> {
  const current = check.directories.filter((directory) => verdicts.get(directory.id) === 'up2date')
  let distrust: string | null = null
  await eachLimit(pickSample(current, check.limits.sampleSize), check.http.connections, async ({ directory, file }) => {
    if (distrust) return
    if (isRepomd(directory, file) && directory.repomdSha256) {
      const url = joinUrl(check.url, directory.path, file.name)
      const got = await check.http.fetch(url, check.signal, check.counters, PROTOCOL, 16 * 1024 * 1024)
      if (got.kind !== 'ok') distrust = `listed ${directory.path}/${file.name} not served (${got.kind === 'missing' ? `HTTP ${got.status}` : got.reason})`
      else if (got.sha256 !== directory.repomdSha256) distrust = `${directory.path}/${file.name} is not the master's newest`
      return
    }
    if (!(await fileMatches(check, directory, file, PROTOCOL))) distrust = `listed ${directory.path}/${file.name} not served as listed`
  })
  return distrust
}

export const fullfiletimelistConnector: Connector = {
  protocol: PROTOCOL,
  accepts: (url) => url.protocol === 'http:' || url.protocol === 'https:',
  async check(check): Promise<CheckResult> {
    const location = check.tree.fileList
    if (!location) return unavailable('the master has no fullfiletimelist for this category')
    try {
      const collector = await readList(check, location.reference, location.pathPrefix)
      if (typeof collector === 'string') return unavailable(collector)
      const verdicts = collector.verdicts(check.directories)
      const distrust = await verifySample(check, verdicts)
      if (distrust) return unavailable(`list not confirmed by the mirror's files: ${distrust}`)
      return { status: 'checked', verdicts }
    } catch (error) {
      if (error instanceof ProtocolUnavailable) return unavailable(error.message)
      throw error
    }
  }
}
