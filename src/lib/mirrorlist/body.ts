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
