/** Spawns the built CLI (bin/run.js -> dist/bundle/) as a user would. */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'run.js')

/**
 * `npm test` (scripts/test.js) bundles the CLI and writes oclif.manifest.json while the
 * first test files run, and names in MM_TEST_CLI_BUILD a file it writes when that is done
 * ("ok" or "failed"). Anything that runs the CLI, or loads oclif's Config, waits for it
 * here; without the variable (tap run by hand after `npm run build`) there is nothing to
 * wait for.
 */
const BUILD_WAIT_MS = 300_000

/** true while the build is still running; throws when it failed or took too long. */
function cliBuildPending(deadline: number): boolean {
  const marker = process.env.MM_TEST_CLI_BUILD
  if (!marker) return false
  let state: string
  try {
    state = readFileSync(marker, 'utf8').trim()
  } catch {
    if (Date.now() > deadline) throw new Error(`the CLI build of npm test did not finish in ${BUILD_WAIT_MS / 1000} s`)
    return true
  }
  if (state !== 'ok') throw new Error(`the CLI build of npm test failed (${state}): see its output above`)
  return false
}

export async function cliBuilt(): Promise<void> {
  const deadline = Date.now() + BUILD_WAIT_MS
  while (cliBuildPending(deadline)) await new Promise((resolve) => setTimeout(resolve, 100))
}

/** The same, for spawnCli, which is synchronous: sleeps the thread (only in a test's first seconds). */
function cliBuiltSync(): void {
  const deadline = Date.now() + BUILD_WAIT_MS
  const sleeper = new Int32Array(new SharedArrayBuffer(4))
  while (cliBuildPending(deadline)) Atomics.wait(sleeper, 0, 0, 100)
}

/**
 * Starts `node bin/run.js ARGS` as a user would. Under tap, its process-info hook hooks
 * spawn itself and puts its loader into NODE_OPTIONS of every process a test starts,
 * whatever env is passed; it is there for coverage, which is off (package.json
 * tap.disable-coverage), and it doubled the CPU of every command, server and cluster worker
 * a test starts (`db status`: 0.8 -> 1.5 s). `env -u NODE_OPTIONS` execs node without it.
 */
export function spawnCli(args: string[], options: SpawnOptions): ChildProcess {
  cliBuiltSync()
  if (process.env.TAP === '1' && process.env.TAP_DISABLE_COVERAGE === '1') {
    return spawn('env', ['-u', 'NODE_OPTIONS', process.execPath, BIN, ...args], options)
  }
  return spawn(process.execPath, [BIN, ...args], options)
}

export interface CliResult {
  status: number | null
  stdout: string
  stderr: string
}

export interface CliOptions {
  env?: Record<string, string | undefined>
  input?: string
  cwd?: string
  timeoutMs?: number
}

export async function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  await cliBuilt()
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, {
      cwd: options.cwd,
      env: { ...process.env, MM_CONFIG: '/dev/null', NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout!.setEncoding('utf8').on('data', (chunk) => (stdout += chunk))
    child.stderr!.setEncoding('utf8').on('data', (chunk) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000)
    child.on('error', reject)
    child.on('close', (status) => {
      clearTimeout(timer)
      resolve({ status, stdout, stderr })
    })
    child.stdin!.end(options.input ?? '')
  })
}

/** Runs with --json and parses stdout. */
export async function runCliJson<T = unknown>(args: string[], options: CliOptions = {}): Promise<CliResult & { json: T }> {
  const result = await runCli([...args, '--json'], options)
  let json: T
  try {
    json = JSON.parse(result.stdout) as T
  } catch {
    throw new Error(`not JSON (exit ${result.status}): ${result.stdout}\n${result.stderr}`)
  }
  return { ...result, json }
}
