/**
 * The real client: Debian's dnf runs `makecache` through our metalink against two
 * mirrors on 127.0.0.1 whose repositories were made by createrepo_c. One mirror's
 * repomd.xml is stale (an older revision the database no longer lists); it is offered
 * first, and dnf must fail over to the current one because the stale file's hash is not
 * in the metalink.
 */
import t from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join, normalize } from 'node:path'
import { runCli } from '../helpers/cli.js'
import { databaseKinds, openTestDatabase } from '../helpers/database.js'
import { buildNetwork, OS_REL } from '../helpers/mirror-database.js'
import { get, startServer } from '../helpers/mirrorlist-server.js'

const have = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0
const missing = ['dnf', 'createrepo_c'].filter((tool) => !have(tool))

/** A static file server for one mirror's tree; remembers which paths were asked for. */
async function staticMirror(root: string): Promise<{ server: Server; port: number; requests: string[] }> {
  const requests: string[] = []
  const server = createServer((request, response) => {
    const path = decodeURIComponent((request.url ?? '/').split('?')[0])
    requests.push(path)
    const file = normalize(join(root, path))
    try {
      if (!file.startsWith(root) || !statSync(file).isFile()) throw new Error('not a file')
      const body = readFileSync(file)
      response.writeHead(200, { 'Content-Length': body.length })
      response.end(body)
    } catch {
      response.writeHead(404)
      response.end()
    }
  })
  server.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const address = server.address()
  return { server, port: typeof address === 'object' && address ? address.port : 0, requests }
}

function createRepo(tree: string, revision: number): string {
  const dir = join(tree, 'fedora', OS_REL)
  mkdirSync(dir, { recursive: true })
  const result = spawnSync('createrepo_c', ['--quiet', '--revision', String(revision), dir], { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`createrepo_c: ${result.stderr}`)
  return join(dir, 'repodata', 'repomd.xml')
}

const digest = (algorithm: string, data: Buffer) => createHash(algorithm).update(data).digest('hex')

t.test('dnf makecache through our metalink fails over from a stale mirror to a current one', { skip: missing.length ? `not installed: ${missing.join(', ')} (CI installs the Debian packages dnf and createrepo-c)` : false }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mm-dnf-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  createRepo(join(dir, 'stale'), 1)
  const currentRepomd = readFileSync(createRepo(join(dir, 'current'), 2))
  const stale = await staticMirror(join(dir, 'stale'))
  const current = await staticMirror(join(dir, 'current'))
  t.teardown(() => {
    stale.server.close()
    current.server.close()
  })

  // What umdl records for the master tree: the current repomd.xml, with real hashes.
  const db = await openTestDatabase(databaseKinds()[0])
  t.teardown(() => db.destroy())
  await buildNetwork(
    db.sql,
    [{
      timestamp: Math.floor(Date.now() / 1000),
      size: currentRepomd.length,
      md5: digest('md5', currentRepomd),
      sha1: digest('sha1', currentRepomd),
      sha256: digest('sha256', currentRepomd),
      sha512: digest('sha512', currentRepomd),
    }],
    [
      // The stale mirror matches the client's netblock, so it is offered first.
      { site: 'stale-site', host: 'stale.local', country: 'SE', urls: [`http://127.0.0.1:${stale.port}/fedora`], netblocks: ['127.0.0.0/8'] },
      { site: 'current-site', host: 'current.local', country: 'SE', urls: [`http://127.0.0.1:${current.port}/fedora`] },
    ],
  )
  await db.disconnect()
  const snapshot = join(dir, 'mirrorlist.avro')
  const generated = await runCli(['generate-snapshot', '-o', snapshot], { env: db.env })
  t.equal(generated.status, 0, generated.stderr)

  const server = await startServer(['--snapshot', snapshot, '--workers', '1'])
  t.teardown(async () => {
    server.child.kill('SIGTERM')
    await server.exited
  })
  const metalinkPath = '/metalink?repo=fedora-41&arch=x86_64'
  const metalink = (await get(server.port, metalinkPath)).body
  const staleAt = metalink.indexOf(`127.0.0.1:${stale.port}/`)
  const currentAt = metalink.indexOf(`127.0.0.1:${current.port}/`)
  t.ok(staleAt > 0 && currentAt > staleAt, 'the stale mirror is listed before the current one')

  // Asynchronous: the two mirrors are served by this very process, which must keep running.
  const makecache = (name: string) => {
    const repos = join(dir, `repos-${name}`)
    mkdirSync(repos)
    writeFileSync(join(repos, 'mmtest.repo'), `[mmtest]\nname=mmtest\nmetalink=http://127.0.0.1:${server.port}${metalinkPath}\nenabled=1\ngpgcheck=0\n`)
    const child = spawn('dnf', [
      'makecache', '-y', '--releasever=41', `--installroot=${join(dir, `root-${name}`)}`,
      `--setopt=reposdir=${repos}`, `--setopt=cachedir=${join(dir, `cache-${name}`)}`,
      '--setopt=skip_if_unavailable=False', '--setopt=timeout=20', '--disablerepo=*', '--enablerepo=mmtest',
    ], { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000)
    return new Promise<{ status: number | null; output: string }>((resolve) =>
      child.on('close', (status) => {
        clearTimeout(timer)
        resolve({ status, output })
      }),
    )
  }

  const ok = await makecache('both')
  t.equal(ok.status, 0, ok.status === 0 ? 'dnf makecache succeeds' : `dnf makecache failed:\n${ok.output}`)
  const repomd = `/fedora/${OS_REL}/repodata/repomd.xml`
  t.ok(stale.requests.includes(repomd), 'dnf tried the stale mirror first')
  t.ok(current.requests.includes(repomd), 'and failed over to the current one')

  // Without the current mirror, the stale repomd.xml alone must be refused: the hash is what decides.
  current.server.close()
  current.server.closeAllConnections()
  const refused = await makecache('stale-only')
  t.not(refused.status, 0, 'dnf refuses a repomd.xml whose hash is not in the metalink')
  t.match(refused.output, /checksum doesn't match|All mirrors were tried/)
})
