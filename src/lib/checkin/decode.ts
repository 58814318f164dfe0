import { createGunzip, gunzip } from 'node:zlib'
import { promisify } from 'node:util'
import { CheckinRefusedError } from '../errors.js'
import { bzip2DecompressStream } from './bzip2.js'
import { IdentityScanner, type IdentityScanResult } from './identity-scan.js'
import { bzip2Refusal, decodeBzip2Payload, legacyWireBytes, parsePayloadBytes } from './legacy-wire.js'
import { validateCheckinPayload, type CheckinPayload } from './payload.js'
import { owned } from './transfer.js'
import { checkinParameter } from './xmlrpc.js'

/**
 * The two stages of reading a check-in body, both run in a decode worker
 * (decode-worker.ts), never on the server's event loop:
 *
 * 1. `scanPayloadIdentity`, before authentication: decompress as a stream, read only the
 *    identity sections, stop. Constant memory, whatever the payload claims to be.
 * 2. `decodePayload`, after authentication: decompress all of it (capped), parse, validate.
 */
/**
 * `xmlrpc`: the raw body of an XML-RPC `checkin` call (UTF-8 checked and parsed here, in
 * the worker); `legacy-wire`: its parameter text, urlsafe base64 of bzip2.
 */
export type PayloadEncoding = 'xmlrpc' | 'legacy-wire' | 'bzip2' | 'gzip' | 'identity'

export interface DecodeJob {
  /** A string for `legacy-wire`, else the bytes. */
  readonly data: Uint8Array | string
  readonly encoding: PayloadEncoding
  /** Decompressed bytes at most. */
  readonly maxPayloadBytes: number
  readonly timeoutMs?: number
}

const gunzipAsync = promisify(gunzip)
const SLICE = 64 * 1024

const tooLarge = (cap: number) => new CheckinRefusedError(`The check-in data decompresses to more than ${cap} bytes.`, { reason: 'too-large' })

export type BytesJob = DecodeJob & { readonly data: Uint8Array; readonly encoding: 'bzip2' | 'gzip' | 'identity' }

/** The XML-RPC body or legacy wire text as the bzip2 bytes it carries. */
export function unwrap(job: DecodeJob): BytesJob {
  if (job.encoding === 'xmlrpc') return { ...job, data: legacyWireBytes(checkinParameter(job.data as Uint8Array)), encoding: 'bzip2' }
  if (job.encoding === 'legacy-wire') return { ...job, data: legacyWireBytes(job.data as string), encoding: 'bzip2' }
  return job as BytesJob
}

/**
 * Stage 1's result, and the job as stage 2 needs it: the compressed bytes only, so the
 * server holds neither the body nor its text while the host is authenticated.
 */
export interface ScanOutcome {
  identity: IdentityScanResult
  job: BytesJob
}

export async function scanPayloadIdentity(wrapped: DecodeJob): Promise<ScanOutcome> {
  const job = unwrap(wrapped)
  return { identity: await scanBytes(job), job: { ...job, data: owned(job.data) } }
}

async function scanBytes(job: BytesJob): Promise<IdentityScanResult> {
  const scanner = new IdentityScanner()
  let result: IdentityScanResult | undefined
  const feed = (chunk: Uint8Array) => (result = scanner.feed(chunk)) !== undefined
  switch (job.encoding) {
    case 'bzip2':
      try {
        await bzip2DecompressStream(job.data, feed, { maxOutputBytes: job.maxPayloadBytes, timeoutMs: job.timeoutMs })
      } catch (error) {
        throw bzip2Refusal(error, job.maxPayloadBytes)
      }
      break
    case 'gzip':
      await gunzipStream(job, feed)
      break
    default:
      if (job.data.length > job.maxPayloadBytes) throw tooLarge(job.maxPayloadBytes)
      for (let at = 0; at < job.data.length && !result; at += SLICE) feed(job.data.subarray(at, at + SLICE))
  }
  return result ?? scanner.end()
}

function gunzipStream(job: BytesJob, feed: (chunk: Uint8Array) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const stream = createGunzip()
    let bytes = 0
    const stop = (error?: Error) => {
      stream.removeAllListeners('data')
      stream.destroy()
      if (error) reject(error)
      else resolve()
    }
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length
      if (bytes > job.maxPayloadBytes) return stop(tooLarge(job.maxPayloadBytes))
      try {
        if (feed(chunk)) stop()
      } catch (error) {
        stop(error as Error)
      }
    })
    stream.on('error', () => stop(new CheckinRefusedError('The check-in data is not valid gzip.', { reason: 'malformed' })))
    stream.on('end', () => stop())
    stream.end(job.data)
  })
}

export async function decodePayload(wrapped: DecodeJob): Promise<CheckinPayload> {
  const job = unwrap(wrapped)
  let value: unknown
  if (job.encoding === 'bzip2') value = await decodeBzip2Payload(job.data, job)
  else {
    const plain = job.encoding === 'gzip' ? await gunzipCapped(job.data, job.maxPayloadBytes) : Buffer.from(job.data)
    if (plain.length > job.maxPayloadBytes) throw tooLarge(job.maxPayloadBytes)
    value = parsePayloadBytes(plain)
  }
  return validateCheckinPayload(value)
}

async function gunzipCapped(body: Uint8Array, cap: number): Promise<Buffer> {
  try {
    return await gunzipAsync(body, { maxOutputLength: cap })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(cap)
    throw new CheckinRefusedError('The check-in data is not valid gzip.', { reason: 'malformed' })
  }
}
