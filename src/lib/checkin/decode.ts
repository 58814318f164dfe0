import { createGunzip, gunzip } from 'node:zlib'
import { promisify } from 'node:util'
import { CheckinRefusedError } from '../errors.js'
import { bzip2DecompressStream } from './bzip2.js'
import { IdentityScanner, type IdentityScanResult } from './identity-scan.js'
import { bzip2Refusal, decodeBzip2Payload, legacyWireBytes, parsePayloadBytes } from './legacy-wire.js'
import { validateCheckinPayload, type CheckinPayload } from './payload.js'

/**
 * The two stages of reading a check-in body, both run in a decode worker
 * (decode-worker.ts), never on the server's event loop:
 *
 * 1. `scanPayloadIdentity`, before authentication: decompress as a stream, read only the
 *    identity sections, stop. Constant memory, whatever the payload claims to be.
 * 2. `decodePayload`, after authentication: decompress all of it (capped), parse, validate.
 */
/** `legacy-wire`: the XML-RPC parameter text, urlsafe base64 of bzip2 (decoded here too: 0.6 s for 5 MB). */
export type PayloadEncoding = 'legacy-wire' | 'bzip2' | 'gzip' | 'identity'

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

/** The legacy wire text as the bzip2 bytes it carries. */
function unwrap(job: DecodeJob): DecodeJob & { data: Uint8Array } {
  if (job.encoding !== 'legacy-wire') return job as DecodeJob & { data: Uint8Array }
  return { ...job, data: legacyWireBytes(job.data as string), encoding: 'bzip2' }
}

export async function scanPayloadIdentity(wrapped: DecodeJob): Promise<IdentityScanResult> {
  const job = unwrap(wrapped)
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

function gunzipStream(job: DecodeJob & { data: Uint8Array }, feed: (chunk: Uint8Array) => boolean): Promise<void> {
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
