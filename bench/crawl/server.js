// One HTTP server playing MIRRORS mirrors of DIRS directories each, at /m<i>/...
// Nothing is on disk: sizes and contents follow from the path. Every 10th mirror is
// stale (every 7th package has another size, repomd.xml is old). Reports request
// counts over IPC. Started by run.js and workers.js.
//
// workers.js mixes the mirrors (all off by default): LATENCY_MS before every answer;
// every SLOW_EVERY-th mirror answers after SLOW_MS instead; every HANG_EVERY-th never
// answers (the crawler's request timeout ends it); every HEAD_EVERY-th has no
// fullfiletimelist, so it is crawled with HEAD per file.
import { createServer } from 'node:http'

const DIRS = Number(process.env.DIRS)
const REPODATA_EVERY = Number(process.env.REPODATA_EVERY)
let requests = 0
const lists = new Map()

// A stale mirror's repomd.xml is an older version, of another size (as they nearly always are).
export const repomd = (j, stale) => `<repomd><revision>${stale ? 'older' : 'new'}-${j}</revision></repomd>\n`
const isStale = (mirror) => mirror % 10 === 0
const every = (name) => Number(process.env[name] ?? 0)
const [LATENCY_MS, SLOW_EVERY, SLOW_MS, HANG_EVERY, HEAD_EVERY] = ['LATENCY_MS', 'SLOW_EVERY', 'SLOW_MS', 'HANG_EVERY', 'HEAD_EVERY'].map(every)
const is = (mirror, n, offset) => n > 0 && mirror % n === offset
const packageSize = (j, stale) => 1000 + j + (stale && j % 7 === 0 ? 1 : 0)

function fullfiletimelist(stale) {
  if (!lists.has(stale)) {
    const lines = ['[Version]', '2', '[Files]']
    for (let j = 0; j < DIRS; j++) {
      lines.push(`1731412345\td\t4096\td${j}`, `1731412300\tf\t${packageSize(j, stale)}\td${j}/p${j}.rpm`)
      if (j % REPODATA_EVERY === 0) lines.push(`1731412300\tf\t${Buffer.byteLength(repomd(j, stale))}\td${j}/repodata/repomd.xml`)
    }
    lines.push('[End]', '')
    lists.set(stale, Buffer.from(lines.join('\n')))
  }
  return lists.get(stale)
}

function answer(path) {
  const match = /^\/m(\d+)\/(.*)$/.exec(path)
  if (!match) return null
  const stale = isStale(Number(match[1]))
  const rest = match[2]
  if (rest === 'fullfiletimelist-bench') return is(Number(match[1]), HEAD_EVERY, 1) ? null : fullfiletimelist(stale)
  let m = /^d(\d+)\/p(\d+)\.rpm$/.exec(rest)
  if (m && m[1] === m[2] && Number(m[1]) < DIRS) return { size: packageSize(Number(m[1]), stale) }
  m = /^d(\d+)\/repodata\/repomd\.xml$/.exec(rest)
  if (m && Number(m[1]) % REPODATA_EVERY === 0) return Buffer.from(repomd(Number(m[1]), stale))
  return null
}

const server = createServer((request, response) => {
  requests++
  const mirror = Number(/^\/m(\d+)\//.exec(request.url)?.[1] ?? -1)
  if (is(mirror, HANG_EVERY, 2)) return // never answers
  const delay = is(mirror, SLOW_EVERY, 3) ? SLOW_MS : LATENCY_MS
  if (delay > 0) setTimeout(() => reply(request, response), delay)
  else reply(request, response)
})

function reply(request, response) {
  const found = answer(request.url)
  if (!found) return response.writeHead(404).end()
  const size = Buffer.isBuffer(found) ? found.length : found.size
  response.writeHead(200, { 'content-length': size })
  if (request.method === 'HEAD') return response.end()
  response.end(Buffer.isBuffer(found) ? found : Buffer.alloc(size))
}
server.keepAliveTimeout = 30_000
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))
process.on('message', (message) => {
  if (message === 'count') process.send({ requests })
  if (message === 'reset') {
    requests = 0
    process.send({ reset: true })
  }
  if (message === 'stop') {
    server.closeAllConnections()
    setTimeout(() => process.exit(0), 1000).unref() // hanging answers keep no one waiting
    server.close(() => process.exit(0))
  }
})
