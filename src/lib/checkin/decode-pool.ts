import { Worker } from 'node:worker_threads'
import { CheckinRefusedError } from '../errors.js'
import type { DecodeJob, ScanOutcome } from './decode.js'
import type { DecodeReply, DecodeRequest } from './decode-worker.js'
import type { CheckinPayload } from './payload.js'
import { transferList } from './transfer.js'
import { XmlRpcFault } from './xmlrpc.js'

/**
 * A few worker threads that decode check-in bodies (decode-worker.ts). Identity scans
 * (small, mostly waiting on the bzip2 child) run side by side; full decodes — the only
 * step whose memory grows with the payload, and only for authenticated hosts — run one
 * at a time per worker, and each worker's heap is capped: the memory budget of the
 * decode stage is `size` payloads, not one per request in flight. A worker that dies
 * (out of memory) fails its jobs and is replaced.
 */
export interface DecodePoolOptions {
  size: number
  /** Heap of each worker (MiB): one full decode must fit. */
  heapMb: number
}

// Under the test runner this module is TypeScript, and so is its worker.
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './decode-worker.ts' : './decode-worker.js', import.meta.url)

interface Pending {
  resolve(value: unknown): void
  reject(error: Error): void
}

interface Slot {
  worker?: Worker
  pending: Map<number, Pending>
  /** Full decodes waiting for this worker's one decode to finish. */
  decodes: (() => void)[]
  decoding: boolean
}

export class DecodePool {
  private readonly slots: Slot[]
  private nextId = 1
  private closed = false

  constructor(private readonly options: DecodePoolOptions) {
    this.slots = Array.from({ length: Math.max(1, options.size) }, () => ({ pending: new Map(), decodes: [], decoding: false }))
  }

  /**
   * Stage 1. The job's bytes are moved to the worker (the caller must not use them
   * again); the outcome carries the compressed bytes for `decode`.
   */
  scan(job: DecodeJob): Promise<ScanOutcome> {
    return this.run(this.leastBusy(), 'scan', job) as Promise<ScanOutcome>
  }

  async decode(job: DecodeJob): Promise<CheckinPayload> {
    const slot = this.leastBusy()
    if (slot.decoding) await new Promise<void>((resolve) => slot.decodes.push(resolve))
    slot.decoding = true
    try {
      return (await this.run(slot, 'decode', job)) as CheckinPayload
    } finally {
      slot.decoding = false
      slot.decodes.shift()?.()
    }
  }

  async close(): Promise<void> {
    this.closed = true
    await Promise.all(this.slots.map((slot) => slot.worker?.terminate()))
  }

  private leastBusy(): Slot {
    const load = (slot: Slot) => slot.pending.size + slot.decodes.length * 4 + (slot.decoding ? 4 : 0)
    return this.slots.reduce((best, slot) => (load(slot) < load(best) ? slot : best))
  }

  private run(slot: Slot, op: DecodeRequest['op'], job: DecodeJob): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the decode pool is closed'))
    const worker = (slot.worker ??= this.start(slot))
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject })
      worker.ref() // keeps the process alive while a job runs; idle workers do not
      worker.postMessage({ id, op, job } satisfies DecodeRequest, transferList(job.data))
    })
  }

  private start(slot: Slot): Worker {
    const worker = new Worker(WORKER_URL, { resourceLimits: { maxOldGenerationSizeMb: this.options.heapMb } })
    worker.unref()
    worker.on('message', (reply: DecodeReply) => {
      const pending = slot.pending.get(reply.id)
      if (!pending) return
      slot.pending.delete(reply.id)
      if (slot.pending.size === 0) worker.unref()
      if (reply.ok) pending.resolve(reply.value)
      else if (reply.refusal) pending.reject(new CheckinRefusedError(reply.refusal.message, { reason: reply.refusal.reason }))
      else if (reply.fault) pending.reject(new XmlRpcFault(reply.fault.code, reply.fault.text))
      else pending.reject(new Error(reply.error))
    })
    const fail = (error: Error) => {
      if (slot.worker !== worker) return
      slot.worker = undefined
      const outOfMemory = (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY'
      for (const pending of slot.pending.values()) {
        pending.reject(
          outOfMemory
            ? new CheckinRefusedError('The check-in data is too large to process.', { reason: 'too-large' })
            : new Error(`check-in decode worker failed: ${error.message}`),
        )
      }
      slot.pending.clear()
    }
    worker.on('error', fail)
    worker.on('exit', (code) => fail(new Error(`exited with status ${code}`)))
    return worker
  }
}
