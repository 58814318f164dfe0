// The baseline of the server benchmark: node:cluster with the same number of workers as
// serve-mirrorlist, each a trivial node:http server answering a constant body of a given
// size. Usage: node bench/server/baseline-server.js WORKERS BODY_BYTES CONTENT_TYPE
// Prints "listening <port>" on stdout.
import cluster from 'node:cluster'
import { createServer } from 'node:http'

const [workers, bytes, contentType] = [Number(process.argv[2] ?? 2), Number(process.argv[3] ?? 1000), process.argv[4] ?? 'text/plain']
if (cluster.isPrimary) {
  let announced = false
  for (let i = 0; i < workers; i++) {
    cluster.fork().on('message', (port) => {
      if (!announced) console.log(`listening ${port}`)
      announced = true
    })
  }
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill()
    process.exit(0)
  })
} else {
  const body = Buffer.alloc(bytes, 'x')
  const server = createServer((request, response) => {
    response.writeHead(200, { 'Content-Type': contentType, 'Content-Length': body.length })
    response.end(body)
  })
  server.listen(Number(process.env.BASELINE_PORT ?? 0), '127.0.0.1', () => process.send(server.address().port))
}
