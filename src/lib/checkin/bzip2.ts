import { spawn } from 'node:child_process'
import { setPriority } from 'node:os'

/**
 * bzip2 through the system `bzip2` binary (Debian package bzip2): the reference libbz2,
 * the same code Python's `bz2` module runs, so our client's payload is byte-identical to
 * the Python client's, and both directions stream. Node has no bzip2 of its own, and the
 * npm packages are decompress-only (seek-bzip, unbzip2-stream) or unmaintained
 * (compressjs).
 *
 * Decompression is capped: the output is counted as it streams and the child is killed
 * the moment it passes the cap, so a bzip2 bomb costs at most `maxOutputBytes` of memory
 * and the CPU time to produce them.
 */
export class Bzip2Error extends Error {
  constructor(
    message: string,
    readonly kind: 'corrupt' | 'too-large' | 'unavailable' | 'timeout',
  ) {
    super(message)
  }
}

export interface Bzip2Options {
  /** Decompression only: stop and fail past this many output bytes. */
  maxOutputBytes?: number
  /** Kill the child after this long. */
  timeoutMs?: number
  /** The binary to run (tests). */
  binary?: string
}

export function bzip2Compress(input: Buffer, options: Bzip2Options = {}): Promise<Buffer> {
  return runBzip2(['-c', '-z', '-9'], input, options)
}

export function bzip2Decompress(input: Buffer, options: Bzip2Options = {}): Promise<Buffer> {
  // -s: the small-memory decompressor (2.5 bytes per block byte instead of 5), enough here.
  return runBzip2(['-c', '-d', '-s'], input, options)
}

/**
 * Streams the decompressed bytes to `onChunk` without keeping them; `onChunk` returns
 * true to stop early (the child is killed, and the promise resolves with `stopped`).
 * The child runs at a lower CPU priority than the server, so a flood of large check-ins
 * takes CPU from itself, not from the answers in progress.
 */
export function bzip2DecompressStream(
  input: Uint8Array,
  onChunk: (chunk: Buffer) => boolean | void,
  options: Bzip2Options = {},
): Promise<{ stopped: boolean; bytes: number }> {
  let stopped = false
  let bytes = 0
  return runBzip2(['-c', '-d', '-s'], input, { ...options, nice: true }, (chunk) => {
    bytes += chunk.length
    if (onChunk(chunk)) stopped = true
    return stopped
  }).then(
    () => ({ stopped, bytes }),
    (error: unknown) => {
      if (stopped) return { stopped, bytes }
      throw error
    },
  )
}

function runBzip2(
  args: string[],
  input: Uint8Array,
  options: Bzip2Options & { nice?: boolean },
  sink?: (chunk: Buffer) => boolean,
): Promise<Buffer> {
  const cap = options.maxOutputBytes ?? Number.MAX_SAFE_INTEGER
  return new Promise((resolve, reject) => {
    const child = spawn(options.binary ?? 'bzip2', args, { stdio: ['pipe', 'pipe', 'pipe'] })
    if (options.nice && child.pid !== undefined) {
      try {
        setPriority(child.pid, 10)
      } catch {
        // not permitted here: it runs at our priority
      }
    }
    const chunks: Buffer[] = []
    let size = 0
    let failure: Error | undefined
    let stderr = ''
    const fail = (error: Error) => {
      failure ??= error
      child.kill('SIGKILL')
    }
    const timer = setTimeout(
      () => fail(new Bzip2Error(`bzip2 did not finish within ${options.timeoutMs} ms`, 'timeout')),
      options.timeoutMs ?? 30_000,
    )
    child.stdout.on('data', (chunk: Buffer) => {
      if (failure) return
      size += chunk.length
      if (size > cap) return fail(new Bzip2Error(`decompressed data exceeds ${cap} bytes`, 'too-large'))
      if (!sink) chunks.push(chunk)
      else {
        let stop: boolean
        try {
          stop = sink(chunk)
        } catch (error) {
          return fail(error as Error) // the consumer refused the data
        }
        if (stop) fail(new Bzip2Error('stopped', 'corrupt'))
      }
    })
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      if (stderr.length < 2000) stderr += text
    })
    child.on('error', (error: NodeJS.ErrnoException) => {
      const message = error.code === 'ENOENT' ? 'the bzip2 program is not installed (Debian package bzip2)' : error.message
      fail(new Bzip2Error(message, 'unavailable'))
    })
    // The child may exit (corrupt input, killed) before it read all of stdin: not our error.
    child.stdin.on('error', () => {})
    child.on('close', (code) => {
      clearTimeout(timer)
      if (failure) return reject(failure)
      if (code !== 0) return reject(new Bzip2Error(`not valid bzip2 data (${firstLine(stderr)})`, 'corrupt'))
      resolve(Buffer.concat(chunks, size))
    })
    child.stdin.end(input)
  })
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? 'bzip2 failed'
  return line.replace(/^bzip2:\s*/, '').trim()
}
