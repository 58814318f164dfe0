/**
 * What an answer's body is: short, dynamic answers are text; the big ones (metalinks,
 * mirror lists, the 404 repository listing) are assembled from bytes pre-encoded at
 * snapshot load. Speed: a 31 KB metalink built as a string costs a rope flatten and a
 * UTF-8 encode per request (~25 µs, most of the answer); copying pre-encoded chunks
 * costs a third of that (bench/RESULTS-server.md).
 */
export type Body = string | Buffer

/** The body as bytes, ready to write. */
export function bodyBytes(body: Body): Buffer {
  return typeof body === 'string' ? Buffer.from(body) : body
}

/** The body as text (tests, logs, explain). */
export function bodyText(body: Body): string {
  return typeof body === 'string' ? body : body.toString('utf8')
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
