/**
 * A check-in decode worker's entry (decode-pool.ts starts it): runs the two stages of
 * decode.ts for the server, so decompressing and parsing megabytes of JSON never blocks
 * the thread that answers /healthz and the other check-ins.
 */
import { parentPort } from 'node:worker_threads'
import { CheckinRefusedError, type CheckinRefusalReason } from '../errors.js'
import { decodePayload, scanPayloadIdentity, type DecodeJob } from './decode.js'

export interface DecodeRequest {
  readonly id: number
  readonly op: 'scan' | 'decode'
  readonly job: DecodeJob
}

export type DecodeReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; refusal?: { message: string; reason: CheckinRefusalReason }; error?: string }

parentPort?.on('message', (request: DecodeRequest) => {
  const work = request.op === 'scan' ? scanPayloadIdentity(request.job) : decodePayload(request.job)
  work.then(
    (value) => parentPort!.postMessage({ id: request.id, ok: true, value } satisfies DecodeReply),
    (error: unknown) => {
      const reply: DecodeReply =
        error instanceof CheckinRefusedError
          ? { id: request.id, ok: false, refusal: { message: error.message, reason: error.reason } }
          : { id: request.id, ok: false, error: (error as Error).message }
      parentPort!.postMessage(reply)
    },
  )
})
