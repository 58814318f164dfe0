/**
 * What a newcomer meets first (issue 22): usage errors, unknown commands, -v, config typos,
 * a busy port. The parse-error check runs every command in this process (oclif's own
 * Config.runCommand over dist/, as bin/run.js does) rather than spawning ~90 processes;
 * a few spawned runs check the same through bin/run.js.
 */
import t from 'tap'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Config } from '@oclif/core'
import { cliBuilt, runCli } from '../helpers/cli.js'

const root = join(import.meta.dirname, '..', '..')
await cliBuilt() // oclif.manifest.json and dist/bundle are written by the build

/** Runs one command in this process; stdout and stderr are captured, not printed. */
async function runInProcess(config: Config, id: string, argv: string[]): Promise<{ exit: number | undefined; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const writeOut = process.stdout.write
  const writeErr = process.stderr.write
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write
  let exit: number | undefined
  try {
    await config.runCommand(id, argv)
    exit = 0
  } catch (error) {
    exit = (error as { oclif?: { exit?: number } }).oclif?.exit
  } finally {
    process.stdout.write = writeOut
    process.stderr.write = writeErr
    process.exitCode = undefined
  }
  return { exit, stdout, stderr }
}

t.test('regression: every command answers a parse error with --json as the documented error object, exit 2', async (t) => {
  process.env.MM_CONFIG = '/dev/null'
  const config = await Config.load({ root })
  const commands = config.commands.filter((c) => !c.hidden && c.pluginName === config.pjson.name)
  t.ok(commands.length >= 60, `all the commands (${commands.length})`)
  for (const command of commands) {
    const cases = [['--no-such-flag-zz', '--json']]
    // A missing required argument (never run without one: the others would really run).
    if (Object.values(command.args ?? {}).some((arg) => arg.required)) cases.push(['--json'])
    for (const argv of cases) {
      const { exit, stdout } = await runInProcess(config, command.id, argv)
      let json: { error?: { code?: string; message?: string; exitStatus?: number } } = {}
      try {
        json = JSON.parse(stdout)
      } catch {
        t.fail(`${command.id} ${argv.join(' ')}: stdout is not JSON (${stdout.length} bytes): ${stdout.slice(0, 200)}`)
        continue
      }
      t.same(Object.keys(json), ['error'], `${command.id} ${argv.join(' ')}: only the error object`)
      t.equal(json.error?.code, 'MM_USAGE', `${command.id} ${argv.join(' ')}: code`)
      t.equal(json.error?.exitStatus, 2, `${command.id} ${argv.join(' ')}: exitStatus`)
      t.equal(exit, 2, `${command.id} ${argv.join(' ')}: exit 2`)
      t.ok(stdout.length < 2000, `${command.id}: a short answer (${stdout.length} bytes)`)
    }
  }
})

t.test('regression: through bin/run.js, --json usage errors are short JSON with exit 2; without --json exit 2 too', async (t) => {
  const bogus = await runCli(['host', 'list', '--bogus', '--json'])
  t.equal(bogus.status, 2)
  t.same(JSON.parse(bogus.stdout), { error: { code: 'MM_USAGE', message: 'Nonexistent flag: --bogus', exitStatus: 2 } })
  const missing = await runCli(['host', 'add', '--json'])
  t.equal(missing.status, 2)
  t.match(JSON.parse(missing.stdout).error, { code: 'MM_USAGE', message: /Missing 1 required arg/, exitStatus: 2 })
  const plain = await runCli(['host', 'list', '--bogus'])
  t.equal(plain.status, 2)
  t.match(plain.stderr, /Nonexistent flag: --bogus/)
})

t.test('regression: an unknown command names the words typed and lists the topic\'s commands', async (t) => {
  const unknown = await runCli(['host', 'netblock', 'show', 'mirror.example.edu'])
  t.equal(unknown.status, 2)
  t.match(unknown.stderr, 'unknown command "host netblock show"')
  t.match(unknown.stderr, /the commands of\s+(›\s+)?"mirrormanager host netblock" are: add, list, remove/)
  t.notMatch(unknown.stderr, /host:netblock/, 'no colon ids')
  const json = await runCli(['nosuch', '--json'])
  t.equal(json.status, 2)
  t.match(JSON.parse(json.stdout).error, { code: 'MM_USAGE', message: /^unknown command "nosuch"; the commands of mirrormanager are: .*\bhost\b/ })
})

t.test('-v prints the version, like --version', async (t) => {
  const short = await runCli(['-v'])
  const long = await runCli(['--version'])
  t.equal(short.status, 0)
  t.match(short.stdout, /^mirrormanager\/\d+\.\d+\.\d+ /)
  t.equal(short.stdout, long.stdout)
})

t.test('regression: a misspelled config section stops the command with exit 3', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mm-cli-'))
  const file = join(dir, 'mm.toml')
  writeFileSync(file, '[crawll]\nthreads = 4\n')
  const run = await runCli(['db', 'status', '--config', file, '--data-dir', join(dir, 'data')])
  t.equal(run.status, 3)
  t.match(run.stderr, /unknown config section \[crawll\]; did you mean \[crawl\]\?/)
})

t.test('regression: serve-checkin on a busy port stops at once with exit 12', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mm-cli-'))
  const taken = createServer().listen(0, '127.0.0.1')
  await once(taken, 'listening')
  t.teardown(() => taken.close())
  const port = (taken.address() as { port: number }).port
  const run = await runCli(['serve-checkin', '--port', String(port), '--data-dir', join(dir, 'data')], { timeoutMs: 60_000 })
  t.equal(run.status, 12, run.stderr)
  t.match(run.stderr, `port ${port} is in use on 127.0.0.1; pass --port`)
})

// start-up (issue 22): commands run from the bundle scripts/bundle.js writes; a build that
// lost it (or a manifest pointing back at dist/commands) would load oclif module by module again
t.test('start-up: a command runs from dist/bundle, loading none of oclif\'s own modules from node_modules', async (t) => {
  const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, { relativePath: string[] }> }
  const outside = Object.entries(manifest.commands).filter(([, command]) => command.relativePath.slice(0, 2).join('/') !== 'dist/bundle')
  t.same(outside, [], 'the manifest names a bundle entry for every command')
  const traced = await runCli(['host', 'list', '--help'], { env: { NODE_DEBUG: 'module' } })
  t.equal(traced.status, 0, traced.stderr.slice(-2000))
  t.match(traced.stdout, /mirrormanager host list/)
  t.notMatch(traced.stderr, /node_modules\/@oclif\/core\//, 'no CommonJS module of @oclif/core loaded')
  t.match(traced.stderr, /MODULE/, 'the module trace was on (the check above can fail)')

  // scripts/bundle.js sorts the commands by code unit where oclif uses localeCompare (ICU's
  // collator costs ~15 ms of start-up): the same order for every id we have.
  const ids = Object.keys(manifest.commands)
  t.same([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), [...ids].sort((a, b) => a.localeCompare(b)), 'code-unit order is oclif\'s order')
  // oclif's debug logging is loaded lazily in the bundle: DEBUG still turns it on.
  const debug = await runCli(['help', 'host', 'list'], { env: { DEBUG: 'oclif:*' } })
  t.equal(debug.status, 0, debug.stderr.slice(-2000))
  t.match(debug.stdout, /\$ mirrormanager host list/, 'help COMMAND: our help command (no @oclif/plugin-help)')
  t.match(debug.stderr, /oclif:main process\.argv/, 'DEBUG=oclif:* prints oclif\'s debug lines')
})
