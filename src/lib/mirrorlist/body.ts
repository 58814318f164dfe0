/**
 * What an answer's body is: short, dynamic answers are text; the big ones (metalinks,
 * mirror lists, the 404 repository listing) are assembled from bytes pre-encoded at
 * snapshot load. Speed: a 31 KB metalink built as a string costs a rope flatten and a
 * UTF-8 encode per request (~25 µs, most of the answer); copying pre-encoded chunks
 * costs a third of that (bench/RESULTS-server.md).
 */
export type Body = string | Buffer | readonly Buffer[]

/**
 * Where a rendered answer's bytes go: `size` bytes, contents unspecified (the renderer
 * writes every one). Buffer.allocUnsafe by default. Speed: a new 72 KB buffer per
 * global-fill metalink costs ~15 µs more than writing into one that was written before
 * (a fresh allocation, cold cache lines and the GC's external-memory accounting:
 * bench/RESULTS-server.md), so the HTTP layer passes buffers it reuses once the socket
 * has taken their bytes (src/http/mirrorlist/response-buffers.ts).
 */
export type Allocate = (size: number) => Buffer

/**
 * UTF-8 byte length of `text`. Speed: an ASCII text (a header line, nearly always) is
 * measured in JavaScript: Buffer.byteLength is a call into C++, ~1 µs of an answer in a
 * worker under load (bench/RESULTS-server.md).
 */
export function utf8Length(text: string): number {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return Buffer.byteLength(text)
  return text.length
}

/** Writes `text`, whose utf8Length is `bytes`, at `offset`; returns the offset after it. ASCII is copied in JavaScript (see utf8Length). */
export function writeUtf8(out: Buffer, text: string, offset: number, bytes: number): number {
  if (bytes !== text.length) return offset + out.write(text, offset)
  for (let i = 0; i < bytes; i++) out[offset + i] = text.charCodeAt(i)
  return offset + bytes
}

/**
 * The body as the chunks to write, in order. A chunk list lets a big constant part (the
 * 404 repository listing, ~90 KB at Fedora scale) be written as it is, shared by every
 * answer, instead of being copied into a new buffer per request.
 */
export function bodyChunks(body: Body): readonly Buffer[] {
  if (typeof body === 'string') return [Buffer.from(body)]
  return Buffer.isBuffer(body) ? [body] : body
}

/** Chunks of an answer being assembled: pre-encoded bytes, and text encoded as it is added. */
export class ChunkList {
  private readonly chunks: Buffer[] = []
  private length = 0

  bytes(chunk: Buffer): this {
    this.chunks.push(chunk)
    this.length += chunk.length
    return this
  }

  text(text: string): this {
    return this.bytes(Buffer.from(text))
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.length)
  }
}
