// One HTTP server playing MIRRORS mirrors of DIRS directories each, at /m<i>/...
// Nothing is on disk: sizes and contents follow from the path. Every 10th mirror is
// stale (every 7th package has another size, repomd.xml is old). Reports request
// counts over IPC. Started by run.js.
import { createServer } from 'node:http'

const DIRS = Number(process.env.DIRS)
const REPODATA_EVERY = Number(process.env.REPODATA_EVERY)
let requests = 0
const lists = new Map()

// A stale mirror's repomd.xml is an older version, of another size (as they nearly always are).
export const repomd = (j, stale) => `<repomd><revision>${stale ? 'older' : 'new'}-${j}</revision></repomd>\n`
const isStale = (mirror) => mirror % 10 === 0
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
  if (rest === 'fullfiletimelist-bench') return fullfiletimelist(stale)
  let m = /^d(\d+)\/p(\d+)\.rpm$/.exec(rest)
  if (m && m[1] === m[2] && Number(m[1]) < DIRS) return { size: packageSize(Number(m[1]), stale) }
  m = /^d(\d+)\/repodata\/repomd\.xml$/.exec(rest)
  if (m && Number(m[1]) % REPODATA_EVERY === 0) return Buffer.from(repomd(Number(m[1]), stale))
  return null
}

const server = createServer((request, response) => {
  requests++
  const found = answer(request.url)
  if (!found) return response.writeHead(404).end()
  const size = Buffer.isBuffer(found) ? found.length : found.size
  response.writeHead(200, { 'content-length': size })
  if (request.method === 'HEAD') return response.end()
  response.end(Buffer.isBuffer(found) ? found : Buffer.alloc(size))
})
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
    server.close(() => process.exit(0))
  }
})
