/** Spawns the built CLI (bin/run.js -> dist/) as a user would. */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { join } from 'node:path'

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'run.js')

/**
 * Starts `node bin/run.js ARGS` as a user would. Under tap, its process-info hook hooks
 * spawn itself and puts its loader into NODE_OPTIONS of every process a test starts,
 * whatever env is passed; it is there for coverage, which is off (package.json
 * tap.disable-coverage), and it doubled the CPU of every command, server and cluster worker
 * a test starts (`db status`: 0.8 -> 1.5 s). `env -u NODE_OPTIONS` execs node without it.
 */
export function spawnCli(args: string[], options: SpawnOptions): ChildProcess {
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

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
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
