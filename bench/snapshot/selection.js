// Selection micro-benchmark (part of bench/snapshot/run.js; also runnable alone):
//   node bench/snapshot/selection.js --snapshot FILE [--seconds 2]
// Answers/s of answerRequest for four request classes, each against a baseline measured
// in the same run: rendering a constant-content body of the same size from pre-made
// lines (what a server with everything precomputed would do per request).
import { parseArgs } from 'node:util'
import { COUNTRIES, CONTINENT_OF, repositoryNames, writeGlobalNetblocks } from '../fixture/fedora-scale.js'

const dist = new URL('../../dist/lib/', import.meta.url)

/** Runs `work` repeatedly for about `seconds`; returns calls per second. */
function rate(work, seconds) {
  let calls = 0
  const started = performance.now()
  const deadline = started + seconds * 1000
  while (performance.now() < deadline) {
    for (let i = 0; i < 20; i++) work()
    calls += 20
  }
  return calls / ((performance.now() - started) / 1000)
}

export async function selectionBenchmark({ snapshot, seconds = 2, netblocksFile, log = () => {} }) {
  const { loadSnapshot } = await import(new URL('mirrorlist/index/read.js', dist))
  const { answerRequest } = await import(new URL('mirrorlist/answer.js', dist))
  const { PrefixTable } = await import(new URL('netblocks/prefix-table.js', dist))
  const { parseCidr } = await import(new URL('netblocks/cidr.js', dist))
  const { readFileSync } = await import('node:fs')
  const index = await loadSnapshot(snapshot)

  const netblocks = new PrefixTable()
  const text = readFileSync(netblocksFile, 'latin1')
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ')
    const cidr = space > 0 ? parseCidr(line.slice(0, space)) : undefined
    if (cidr) netblocks.add(cidr, Number(line.slice(space + 1)))
  }
  netblocks.build()
  const geo = new Map([['198.18.0.1', 'DE'], ['198.18.0.2', 'US']])
  const context = {
    countryOf: (client) => geo.get(client.text),
    asnOf: (ip) => netblocks.lookup(ip),
    continentOf: (country) => CONTINENT_OF.get(country),
    minimum: 5,
    now: new Date(),
    random: Math.random,
  }
  const repositories = repositoryNames(index.stats.repositories)
  const popular = repositories[1]
  const late = repositories[repositories.length - 1]
  const classes = [
    { name: 'metalink, popular repo (client in DE)', path: '/metalink', query: `repo=${popular.prefix}&arch=${popular.arch}`, ip: '198.18.0.1' },
    { name: 'mirrorlist, repo late in the list (client in US)', path: '/mirrorlist', query: `repo=${late.prefix}&arch=${late.arch}`, ip: '198.18.0.2' },
    { name: 'mirrorlist, no GeoIP country (global fill)', path: '/mirrorlist', query: `repo=${popular.prefix}&arch=${popular.arch}`, ip: '198.18.9.9' },
    { name: 'unknown repo (404 with the repository list)', path: '/mirrorlist', query: 'repo=no-such-repo&arch=x86_64', ip: '198.18.0.2' },
  ]
  const results = []
  for (const request of classes) {
    // both sides end with the bytes a server would write: Buffer.from flattens and encodes
    const answer = () => Buffer.from(answerRequest(index, { path: request.path, query: request.query, clientIp: request.ip }, context).body)
    const sample = answerRequest(index, { path: request.path, query: request.query, clientIp: request.ip }, context)
    const lines = sample.body.split('\n').map((line) => `${line}`)
    // baseline: the same bytes, rendered from pre-made lines (a join per request)
    const baseline = () => Buffer.from(lines.join('\n'))
    const ours = rate(answer, seconds)
    const reference = rate(baseline, seconds)
    const urls = sample.body.split('\n').filter((line) => /^(https?|ftp|rsync):/.test(line) || line.includes('<url ')).length
    results.push({ name: request.name, status: sample.status, bytes: sample.body.length, urls, perSecond: ours, baselinePerSecond: reference, ratio: ours / reference })
    log(`${request.name}: ${ours.toFixed(0)}/s (baseline ${reference.toFixed(0)}/s, ${sample.body.length} bytes, ${urls} URLs)`)
  }
  return { countries: COUNTRIES.length, results }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { snapshot: { type: 'string' }, seconds: { type: 'string', default: '2' }, netblocks: { type: 'string' } } })
  let netblocksFile = values.netblocks
  if (!netblocksFile) {
    netblocksFile = '/tmp/mm-bench-global-netblocks.txt'
    writeGlobalNetblocks(netblocksFile)
  }
  const result = await selectionBenchmark({ snapshot: values.snapshot, seconds: Number(values.seconds), netblocksFile, log: console.error })
  console.log(JSON.stringify(result, null, 2))
}
