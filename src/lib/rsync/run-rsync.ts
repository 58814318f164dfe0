/**
 * Runs the system `rsync --list-only` and streams its listing, parsed line by line:
 * a listing of a whole mirror is millions of lines and is never held in memory here.
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { RsyncError } from '../errors.js'
import { parseListingLine, type ListingEntry } from './listing.js'

export interface RsyncListingOptions {
  /** Whole-run limit; rsync is killed when it is reached. Default 30 minutes. */
  timeoutMs?: number
  /** rsync's own I/O timeout (--timeout) and daemon connect timeout (--contimeout), seconds. */
  ioTimeoutSeconds?: number
  /** Extra rsync arguments, e.g. ['--exclude', '.~tmp~']. */
  extraArgs?: readonly string[]
  /** The binary; default `rsync` from PATH. */
  rsyncPath?: string
  /** Passed to rsync as RSYNC_PASSWORD for authenticated daemon modules. */
  password?: string
}

export const LISTING_ARGS = ['--list-only', '-r', '--no-motd', '--no-human-readable'] as const

const EXIT_MEANING: Record<number, string> = {
  1: 'syntax or usage error',
  2: 'protocol incompatibility',
  3: 'errors selecting input/output files or directories',
  5: 'error starting the client-server protocol',
  10: 'error in socket I/O',
  11: 'error in file I/O',
  12: 'error in the rsync protocol data stream',
  20: 'killed by a signal',
  23: 'partial listing due to an error',
  24: 'partial listing: files vanished',
  30: 'timeout in data send/receive',
  35: 'timeout waiting for the daemon connection',
}

function isDaemonUrl(url: string): boolean {
  return url.startsWith('rsync://') || /^[^/]*::/.test(url)
}

/** The useful part of rsync's stderr: `@ERROR:` and `rsync:` lines first. */
function summariseStderr(stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.trim()).filter(Boolean)
  const important = lines.filter((line) => line.startsWith('@ERROR') || line.startsWith('rsync:') || line.startsWith('rsync error'))
  return (important.length > 0 ? important : lines).slice(0, 3).join('; ')
}

function buildArgs(url: string, options: RsyncListingOptions): string[] {
  const args: string[] = [...LISTING_ARGS]
  const io = options.ioTimeoutSeconds ?? 300
  args.push(`--timeout=${io}`)
  if (isDaemonUrl(url)) args.push(`--contimeout=${Math.min(io, 60)}`)
  args.push(...(options.extraArgs ?? []), url)
  return args
}

/**
 * Lists `url` (an rsync:// URL, host::module, or a local path) recursively and yields
 * each entry as rsync prints it. A non-zero exit becomes an RsyncError thrown after the
 * last entry: a consumer must treat what it received as incomplete then.
 */
export async function* listRsync(url: string, options: RsyncListingOptions = {}): AsyncGenerator<ListingEntry> {
  const env: NodeJS.ProcessEnv = { ...process.env, TZ: 'UTC', LC_ALL: 'C' }
  if (options.password !== undefined) env.RSYNC_PASSWORD = options.password
  const child = spawn(options.rsyncPath ?? 'rsync', buildArgs(url, options), { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 16_384) stderr += chunk
  })
  let spawnError: Error | undefined
  const exited = new Promise<number | null>((resolve) => {
    child.on('error', (error) => {
      spawnError = error
      resolve(null)
    })
    child.on('close', (code, signal) => resolve(code ?? (signal ? 20 : null)))
  })
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    child.kill('SIGKILL')
  }, options.timeoutMs ?? 30 * 60_000)
  try {
    const lines = createInterface({ input: child.stdout, crlfDelay: Infinity })
    for await (const line of lines) {
      const entry = parseListingLine(line)
      if (entry) yield entry
    }
    const code = await exited
    if (spawnError) {
      throw new RsyncError(`cannot run rsync: ${spawnError.message}`, { cause: spawnError, rsyncExitCode: null })
    }
    if (timedOut) {
      throw new RsyncError(`rsync ${url} took longer than ${options.timeoutMs ?? 1_800_000} ms and was stopped`, { rsyncExitCode: 30 })
    }
    if (code !== 0) {
      const why = summariseStderr(stderr) || EXIT_MEANING[code ?? -1] || 'unknown failure'
      throw new RsyncError(`rsync ${url} failed (exit ${code}: ${EXIT_MEANING[code ?? -1] ?? 'error'}): ${why}`, {
        rsyncExitCode: code,
        details: { url, rsyncExitCode: code, stderr: stderr.slice(0, 2000) },
      })
    }
  } finally {
    clearTimeout(timer)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
}
