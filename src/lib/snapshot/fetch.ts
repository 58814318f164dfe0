/**
 * Fetching a snapshot published over HTTP (serve-mirrorlist --snapshot-url): one
 * conditional GET, the body streamed to a temporary file next to the local snapshot,
 * validated, and only then renamed into place. The backend is a network peer like any
 * other: its answer is bounded in time and size, its redirects are limited, and its bytes
 * are trusted only after the same validation as a local reload (the caller's `validate`).
 *
 * Throws NetworkError (unreachable, timed out, cut), RemoteRefusedError (an HTTP status
 * other than 200/304, too many redirects, a body over the limit) or SnapshotError (the
 * bytes are not a valid snapshot); the file in place is then untouched.
 */
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { Agent, interceptors, request, type Dispatcher } from 'undici'
import { MirrorManagerError, NetworkError, RemoteRefusedError, SnapshotError } from '../errors.js'
import { installSnapshot } from './write.js'

const USER_AGENT = 'mirrormanager-mirrorlist (snapshot fetch)'
const MAX_REDIRECTIONS = 3

export interface SnapshotFetchOptions {
  url: string
  /** the local snapshot path: the download goes next to it, then replaces it */
  file: string
  /** validators of the copy in place, from the previous answer */
  etag?: string
  lastModified?: string
  /** SHA-256 (hex) of the file in place: a 200 with the same bytes is "not modified" (a backend without validators) */
  sha256?: string
  maxBytes: number
  /** connect, headers and idle-body timeout */
  timeoutMs: number
  /** the checks of a local reload; throws SnapshotError */
  validate(bytes: Buffer, name: string): Promise<void>
  dispatcher?: Dispatcher
}

export interface SnapshotFetchResult {
  /** `ok`: a new snapshot is in place; `not_modified`: 304, or the same bytes again */
  result: 'ok' | 'not_modified'
  etag?: string
  lastModified?: string
  sha256?: string
  bytes?: number
}

let sharedDispatcher: Dispatcher | undefined
function defaultDispatcher(timeoutMs: number): Dispatcher {
  sharedDispatcher ??= new Agent({ connectTimeout: timeoutMs }).compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTIONS }))
  return sharedDispatcher
}

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** Counts and hashes the bytes going through; fails the stream past `maxBytes`. */
function meter(maxBytes: number, url: string): Transform & { bytes: number; hash: ReturnType<typeof createHash> } {
  const hash = createHash('sha256')
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      stream.bytes += chunk.length
      if (stream.bytes > maxBytes) return callback(new RemoteRefusedError(`${url}: the snapshot is larger than ${maxBytes} bytes (mirrorlist.snapshot_max_bytes)`))
      hash.update(chunk)
      callback(null, chunk)
    },
  }) as Transform & { bytes: number; hash: ReturnType<typeof createHash> }
  stream.bytes = 0
  stream.hash = hash
  return stream
}

async function get(options: SnapshotFetchOptions): Promise<Dispatcher.ResponseData> {
  const headers: Record<string, string> = { 'user-agent': USER_AGENT }
  if (options.etag) headers['if-none-match'] = options.etag
  if (options.lastModified) headers['if-modified-since'] = options.lastModified
  try {
    return await request(options.url, {
      dispatcher: options.dispatcher ?? defaultDispatcher(options.timeoutMs),
      headers,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    })
  } catch (error) {
    const message = (error as Error).message
    // undici's redirect interceptor says so when the redirects run out
    if (/redirect/i.test(message)) throw new RemoteRefusedError(`${options.url}: ${message}`, { cause: error })
    throw new NetworkError(`${options.url}: ${message}`, { cause: error })
  }
}

/** One conditional fetch; see the file comment. */
export async function fetchSnapshot(options: SnapshotFetchOptions): Promise<SnapshotFetchResult> {
  const { url, maxBytes } = options
  const answer = await get(options)
  if (answer.statusCode === 304) {
    await answer.body.dump().catch(() => {})
    return { result: 'not_modified', etag: options.etag, lastModified: options.lastModified, sha256: options.sha256 }
  }
  if (answer.statusCode !== 200) {
    await answer.body.dump().catch(() => {})
    throw new RemoteRefusedError(`${url}: HTTP ${answer.statusCode}`, { details: { url, status: answer.statusCode } })
  }
  const declared = Number(header(answer.headers, 'content-length'))
  if (declared > maxBytes) {
    answer.body.destroy()
    throw new RemoteRefusedError(`${url}: the snapshot is larger than ${maxBytes} bytes (mirrorlist.snapshot_max_bytes)`)
  }
  const temporary = join(dirname(options.file), `.${basename(options.file)}.fetch-${process.pid}.tmp`)
  try {
    const counted = meter(maxBytes, url)
    try {
      await pipeline(answer.body, counted, createWriteStream(temporary, { mode: 0o644 }))
    } catch (error) {
      if (error instanceof MirrorManagerError) throw error
      throw new NetworkError(`${url}: ${(error as Error).message}`, { cause: error })
    }
    const validators = { etag: header(answer.headers, 'etag'), lastModified: header(answer.headers, 'last-modified') }
    const sha256 = counted.hash.digest('hex')
    if (sha256 === options.sha256) return { result: 'not_modified', ...validators, sha256, bytes: counted.bytes }
    await options.validate(await readFile(temporary), url)
    try {
      await installSnapshot(temporary, options.file)
    } catch (error) {
      // a local failure (disk, permissions), not the backend's bytes: counted as an error, not invalid
      throw new SnapshotError((error as Error).message, { cause: error, details: { phase: 'install' } })
    }
    return { result: 'ok', ...validators, sha256, bytes: counted.bytes }
  } finally {
    await rm(temporary, { force: true })
  }
}

/** The SHA-256 (hex) of a file's bytes, or undefined when it cannot be read. */
export async function fileSha256(file: string): Promise<string | undefined> {
  try {
    return createHash('sha256').update(await readFile(file)).digest('hex')
  } catch {
    return undefined
  }
}

/** Which metric result a failed fetch counts as: bytes that are not a valid snapshot, or anything else. */
export function fetchFailureKind(error: unknown): 'invalid' | 'error' {
  return error instanceof SnapshotError && error.details?.phase !== 'install' ? 'invalid' : 'error'
}
