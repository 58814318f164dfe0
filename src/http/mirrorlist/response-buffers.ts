/**
 * Buffers for answer bodies, reused once the socket has taken their bytes.
 *
 * Speed: writing a 72 KB global-fill metalink into a new Buffer costs ~15 µs more than
 * writing it into one written before (allocation, cold cache lines, the GC's accounting
 * of external memory): a third of the metalink's rendering (bench/RESULTS-server.md).
 * A worker answers one request at a time and on loopback or a LAN the kernel takes a
 * response's bytes at once, so a few buffers in turn serve every answer.
 *
 * Safety: a body's bytes must not change until they are written. A buffer is lent for
 * one answer (`allocate`), tied to the response it was sent on (`sent`, in the same tick:
 * answer and send are synchronous), and lent again only when that response is finished
 * and all its bytes are with the kernel (`writableFinished`), or its socket is destroyed
 * (a closed handle's pending writes are dropped, never read). A buffer lent and not sent
 * (an answer that failed before send) is free at the next `allocate`. Answers larger than
 * `maxBytes`, or when every buffer is still in flight (a slow client), get a new Buffer.
 */
import type { ServerResponse } from 'node:http'

interface Slot {
  buffer: Buffer
  /** the last view lent of `buffer` (answers of one target are mostly the same size: the view is lent again) */
  view: Buffer
  /** the response whose body it holds, until that response has finished */
  response: ServerResponse | undefined
}

export const RESPONSE_BUFFERS = 8
export const RESPONSE_BUFFER_MAX_BYTES = 512 * 1024
/** a slot's buffer is at least this big (global-fill metalinks at Fedora scale are ~72 KB) */
const MIN_SLOT_BYTES = 128 * 1024

/**
 * True once nothing will read the response's body any more: finished with every byte
 * handed to the kernel (writableFinished also waits for a pipelined response queued
 * behind another, whose bytes wait in the response itself), or destroyed.
 */
function released(response: ServerResponse): boolean {
  return response.writableFinished || response.destroyed || response.socket?.destroyed === true
}

export class ResponseBuffers {
  private readonly slots: Slot[] = []
  /** the slot lent by the last allocate() and not yet sent */
  private lent: Slot | undefined
  /** answers written into a reused buffer / into a new one (tests and benchmarks read them) */
  readonly counts = { reused: 0, fresh: 0 }

  constructor(
    private readonly count = RESPONSE_BUFFERS,
    private readonly maxBytes = RESPONSE_BUFFER_MAX_BYTES,
  ) {}

  /** A buffer of `size` bytes for one answer's body (body.ts Allocate). */
  readonly allocate = (size: number): Buffer => {
    this.lent = undefined
    if (size > this.maxBytes) return this.fresh(size)
    let free: Slot | undefined
    for (const slot of this.slots) {
      if (slot.response && !released(slot.response)) continue
      slot.response = undefined
      if (slot.buffer.length >= size) {
        this.counts.reused++
        return this.lend(slot, size)
      }
      free ??= slot
    }
    if (!free && this.slots.length < this.count) this.slots.push((free = { buffer: Buffer.alloc(0), view: Buffer.alloc(0), response: undefined }))
    if (!free) return this.fresh(size)
    this.counts.fresh++
    free.buffer = Buffer.allocUnsafeSlow(Math.min(Math.max(size, MIN_SLOT_BYTES), this.maxBytes))
    free.view = free.buffer.subarray(0, 0)
    return this.lend(free, size)
  }

  /** The answer just rendered was sent on `response` (call after response.end, in the same tick). */
  sent(response: ServerResponse): void {
    if (!this.lent) return
    if (!released(response)) this.lent.response = response
    this.lent = undefined
  }

  /** Speed: a Buffer view is a new object made through a constructor (~1 µs in a worker under load); one of the same size is reused. */
  private lend(slot: Slot, size: number): Buffer {
    this.lent = slot
    if (slot.view.length !== size) slot.view = slot.buffer.subarray(0, size)
    return slot.view
  }

  private fresh(size: number): Buffer {
    this.counts.fresh++
    return Buffer.allocUnsafe(size)
  }
}
