/**
 * Streams the lines of an access log — plain or gzip (recognised by its magic bytes, not
 * its name) — from a byte offset of its text, with memory flat in the file size: only the
 * current chunk and the counts are held.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { createGunzip } from 'node:zlib'
import type { Readable } from 'node:stream'

/** Bytes of a log's text hashed to recognise it under another inode (a compressed copy). */
export const HEAD_BYTES = 4096

export async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r')
  try {
    const magic = Buffer.alloc(2)
    const { bytesRead } = await handle.read(magic, 0, 2, 0)
    return bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b
  } finally {
    await handle.close()
  }
}

function textStream(path: string, gzip: boolean): Readable {
  if (!gzip) return createReadStream(path, { highWaterMark: 256 * 1024 })
  return createReadStream(path, { highWaterMark: 256 * 1024 }).pipe(createGunzip({ chunkSize: 256 * 1024 }))
}

/** The first `length` bytes of the text (fewer when the text is shorter). */
export async function readHead(path: string, gzip: boolean, length = HEAD_BYTES): Promise<Buffer> {
  const parts: Buffer[] = []
  let have = 0
  const stream = textStream(path, gzip)
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      parts.push(chunk)
      have += chunk.length
      if (have >= length) break
    }
  } finally {
    stream.destroy()
  }
  return Buffer.concat(parts).subarray(0, length)
}

export function hashHead(head: Buffer, length: number): string | undefined {
  if (head.length < length) return undefined
  return createHash('sha256').update(head.subarray(0, length)).digest('hex')
}

/** Longer "lines" are garbage; they are cut so memory stays bounded. */
const MAX_LINE_BYTES = 64 * 1024

export interface ReadResult {
  /** Offset of the text after the last whole line read. */
  end: number
}

/** Size of the one read buffer of a plain log (a compressed one is streamed through gunzip). */
const READ_BYTES = 1024 * 1024

/**
 * Calls `onLines(buffer, start, end)` with runs of whole lines after `offset`: bytes
 * [start, end) hold one or more lines, each ending with a newline. Speed: one call per
 * chunk (1 MiB), not per line — the counter walks the bytes in one loop. A plain file is
 * read with positional reads into one reused buffer (no stream, no new Buffer per chunk:
 * the stream machinery and the garbage it made cost more than the counting of a chunk).
 * A last line without a newline is left for the next run in a plain file (the server may
 * be writing it) and read in a compressed one (it is final).
 */
export async function readLines(
  path: string,
  gzip: boolean,
  offset: number,
  onLines: (buffer: Buffer, start: number, end: number) => void,
): Promise<ReadResult> {
  return gzip ? readCompressedLines(path, offset, onLines) : readPlainLines(path, offset, onLines)
}

async function readPlainLines(
  path: string,
  offset: number,
  onLines: (buffer: Buffer, start: number, end: number) => void,
): Promise<ReadResult> {
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.allocUnsafe(READ_BYTES)
    let position = offset // text handed over so far
    let carried = 0 // bytes of an unfinished line at the start of buffer
    for (;;) {
      const { bytesRead } = await handle.read(buffer, carried, buffer.length - carried, position + carried)
      if (bytesRead === 0) break
      const filled = carried + bytesRead
      const last = buffer.lastIndexOf(10, filled - 1)
      if (last >= 0) {
        onLines(buffer, 0, last + 1)
        position += last + 1
        carried = filled - last - 1
        buffer.copyWithin(0, last + 1, filled)
      } else if (filled > MAX_LINE_BYTES) {
        // no access log line is this long: hand it over (it is malformed) rather than grow
        onLines(Buffer.concat([buffer.subarray(0, filled), NEWLINE]), 0, filled + 1)
        position += filled
        carried = 0
      } else carried = filled
    }
    return { end: position }
  } finally {
    await handle.close()
  }
}

async function readCompressedLines(
  path: string,
  offset: number,
  onLines: (buffer: Buffer, start: number, end: number) => void,
): Promise<ReadResult> {
  let position = offset
  let skip = offset // a gzip stream cannot seek: decompress and drop
  let carry: Buffer | undefined
  for await (let chunk of textStream(path, true) as AsyncIterable<Buffer>) {
    if (skip > 0) {
      if (chunk.length <= skip) {
        skip -= chunk.length
        continue
      }
      chunk = chunk.subarray(skip)
      skip = 0
    }
    const buffer = carry ? Buffer.concat([carry, chunk]) : chunk
    const last = buffer.lastIndexOf(10)
    if (last >= 0) {
      onLines(buffer, 0, last + 1)
      position += last + 1
    }
    carry = last + 1 < buffer.length ? buffer.subarray(last + 1) : undefined
    if (carry && carry.length > MAX_LINE_BYTES) {
      onLines(Buffer.concat([carry, NEWLINE]), 0, carry.length + 1)
      position += carry.length
      carry = undefined
    }
  }
  if (carry) {
    onLines(Buffer.concat([carry, NEWLINE]), 0, carry.length + 1)
    position += carry.length
  }
  return { end: position }
}

const NEWLINE = Buffer.from('\n')
