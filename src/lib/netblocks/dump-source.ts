/**
 * Opens a BGP table dump — a file or an http(s) URL — as a stream of decompressed
 * chunks. The compression is recognised by its magic bytes, not the name: bzip2 ("BZh",
 * RouteViews and Internet2 dumps), gzip (1f 8b, RIPE RIS dumps), else plain MRT.
 *
 * Nothing is held whole in memory: HTTP bodies stream through undici, bzip2 through the
 * system `bzip2 -dc` (Debian package bzip2: the reference libbz2, and a second core for
 * decompression while this process parses), gzip through zlib. A failure of any stage —
 * a connection cut mid-body, a truncated or corrupt archive — ends the stream with an
 * error, never a silent short read.
 *
 * A URL ending in "/" is a directory listing (as RouteViews' RIBS/ and Internet2's daily
 * folders): its newest `rib.*.bz2` link is taken, as MirrorManager2 does. `{year}`,
 * `{month}` and `{day}` in a source are yesterday's date (UTC), also as MirrorManager2.
 */
import { spawn } from 'node:child_process'
import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { Agent, interceptors, request, type Dispatcher } from 'undici'
import { MrtFormatError, NetworkError, RemoteRefusedError } from '../errors.js'

export interface DumpSourceOptions {
  /** Seconds without progress on an HTTP request before it fails. */
  timeoutSeconds?: number
  /** The date {year}/{month}/{day} are taken from (yesterday of it); default now. */
  now?: Date
}

const USER_AGENT = 'mirrormanager-netblocks (+https://github.com/fedora-infra/mirrormanager2)'
const RIB_LINK = /<a href="(rib\.[0-9]+\.[0-9]+\.bz2)">/g

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source)
}

/** `{year}`, `{month}`, `{day}` of the day before `now` (UTC), zero-padded. */
export function expandDatePlaceholders(source: string, now = new Date()): string {
  const yesterday = new Date(now.getTime() - 86_400_000)
  const pad = (value: number) => String(value).padStart(2, '0')
  return source
    .replaceAll('{year}', String(yesterday.getUTCFullYear()))
    .replaceAll('{month}', pad(yesterday.getUTCMonth() + 1))
    .replaceAll('{day}', pad(yesterday.getUTCDate()))
}

let agent: Dispatcher | undefined
function dispatcher(): Dispatcher {
  agent ??= new Agent().compose(interceptors.redirect({ maxRedirections: 5 }))
  return agent
}

async function httpGet(url: string, options: DumpSourceOptions): Promise<Readable> {
  const timeout = (options.timeoutSeconds ?? 120) * 1000
  let answer: Dispatcher.ResponseData
  try {
    answer = await request(url, { dispatcher: dispatcher(), headers: { 'user-agent': USER_AGENT }, headersTimeout: timeout, bodyTimeout: timeout })
  } catch (error) {
    throw new NetworkError(`${url}: ${(error as Error).message}`, { cause: error })
  }
  if (answer.statusCode !== 200) {
    await answer.body.dump().catch(() => {})
    throw new RemoteRefusedError(`${url}: HTTP ${answer.statusCode}`, { details: { url, status: answer.statusCode } })
  }
  return answer.body
}

/** The newest rib.*.bz2 of a directory listing (sorted newest first with ?C=M;O=D). */
async function newestRibUrl(url: string, options: DumpSourceOptions): Promise<string> {
  const listing = await httpGet(`${url}?C=M;O=D`, options)
  let text = ''
  for await (const chunk of listing) {
    text += (chunk as Buffer).toString('latin1')
    if (text.length > 4 * 1024 * 1024) break
  }
  listing.destroy()
  const first = RIB_LINK.exec(text)
  RIB_LINK.lastIndex = 0
  if (!first) throw new RemoteRefusedError(`${url}: no rib.*.bz2 file in the directory listing`, { details: { url } })
  return new URL(first[1]!, url).href
}

/** The URL or file a source names after placeholders and directory listings; for logs. */
export async function resolveSource(source: string, options: DumpSourceOptions = {}): Promise<string> {
  const expanded = expandDatePlaceholders(source, options.now)
  return isUrl(expanded) && expanded.endsWith('/') ? newestRibUrl(expanded, options) : expanded
}

function openRaw(resolved: string, options: DumpSourceOptions): Promise<Readable> {
  if (isUrl(resolved)) return httpGet(resolved, options)
  return new Promise((resolve, reject) => {
    const stream = createReadStream(resolved, { highWaterMark: 256 * 1024 })
    stream.once('open', () => resolve(stream))
    stream.once('error', (error) => reject(new MrtFormatError(`${resolved}: ${error.message}`, { cause: error })))
  })
}

/** Reads until at least 4 bytes (the longest magic) or the end; returns them and the rest. */
async function sniff(raw: Readable): Promise<{ head: Buffer; rest: AsyncIterator<Buffer> }> {
  const iterator = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  const parts: Buffer[] = []
  let size = 0
  while (size < 4) {
    const next = await iterator.next()
    if (next.done) break
    parts.push(next.value)
    size += next.value.length
  }
  return { head: Buffer.concat(parts), rest: iterator }
}

function rejoin(head: Buffer, rest: AsyncIterator<Buffer>): Readable {
  return Readable.from(
    (async function* () {
      if (head.length > 0) yield head
      for (;;) {
        const next = await rest.next()
        if (next.done) return
        yield next.value
      }
    })(),
    { objectMode: false },
  )
}

async function* bunzip2(input: Readable, source: string): AsyncGenerator<Buffer> {
  const child = spawn('bzip2', ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  let inputError: Error | undefined
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < 4096) stderr += chunk.toString()
  })
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => resolve(code))
  })
  exited.catch(() => {})
  child.stdin.on('error', () => {}) // EPIPE when bzip2 stops early; its exit status tells why
  input.on('error', (error) => {
    inputError = error
    child.stdin.destroy()
  })
  input.pipe(child.stdin)
  let finished = false
  try {
    for await (const chunk of child.stdout) yield chunk as Buffer
    finished = true
  } finally {
    if (!finished) {
      input.destroy()
      child.kill('SIGKILL')
    }
  }
  let code: number | null
  try {
    code = await exited
  } catch (error) {
    throw new MrtFormatError(`${source}: cannot run bzip2 (Debian package bzip2): ${(error as Error).message}`, { cause: error })
  }
  if (inputError) throw inputError instanceof NetworkError ? inputError : new NetworkError(`${source}: ${inputError.message}`, { cause: inputError })
  if (code !== 0) throw new MrtFormatError(`${source}: bzip2 could not decompress it (${stderr.trim().split('\n').pop() ?? `exit ${code}`})`)
}

async function* gunzip(input: Readable, source: string): AsyncGenerator<Buffer> {
  const inflate = createGunzip()
  input.on('error', (error) => inflate.destroy(new NetworkError(`${source}: ${error.message}`, { cause: error })))
  input.pipe(inflate)
  try {
    for await (const chunk of inflate) yield chunk as Buffer
  } catch (error) {
    if (error instanceof NetworkError) throw error
    throw new MrtFormatError(`${source}: gzip could not decompress it (${(error as Error).message})`, { cause: error })
  } finally {
    input.destroy()
  }
}

async function* plain(input: Readable, source: string): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of input) yield chunk as Buffer
  } catch (error) {
    throw new NetworkError(`${source}: ${(error as Error).message}`, { cause: error })
  }
}

/** The decompressed bytes of a resolved source (see resolveSource). */
export async function* openDump(resolved: string, options: DumpSourceOptions = {}): AsyncGenerator<Buffer> {
  const raw = await openRaw(resolved, options)
  const { head, rest } = await sniff(raw)
  const input = rejoin(head, rest)
  input.on('error', () => {}) // reported by the stage that reads it
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) yield* bunzip2(input, resolved)
  else if (head[0] === 0x1f && head[1] === 0x8b) yield* gunzip(input, resolved)
  else yield* plain(input, resolved)
}
