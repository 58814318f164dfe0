/**
 * A check-in decode worker's entry (decode-pool.ts starts it): runs the two stages of
 * decode.ts for the server, so decompressing and parsing megabytes of JSON never blocks
 * the thread that answers /healthz and the other check-ins.
 */
import { parentPort } from 'node:worker_threads'
import { CheckinRefusedError, type CheckinRefusalReason } from '../errors.js'
import { decodePayload, scanPayloadIdentity, type DecodeJob } from './decode.js'
import { XmlRpcFault } from './xmlrpc.js'
import { transferList } from './transfer.js'

export interface DecodeRequest {
  readonly id: number
  readonly op: 'scan' | 'decode'
  readonly job: DecodeJob
}

export type DecodeReply =
  | { id: number; ok: true; value: unknown }
  | {
      id: number
      ok: false
      refusal?: { message: string; reason: CheckinRefusalReason }
      fault?: { code: number; text: string }
      error?: string
    }

parentPort?.on('message', (request: DecodeRequest) => {
  // A scan hands the compressed bytes back for the decode stage: moved, not copied.
  const work = request.op === 'scan'
    ? scanPayloadIdentity(request.job).then((value) => ({ value, transfer: transferList(value.job.data) }))
    : decodePayload(request.job).then((value) => ({ value, transfer: [] }))
  work.then(
    ({ value, transfer }) => parentPort!.postMessage({ id: request.id, ok: true, value } satisfies DecodeReply, transfer),
    (error: unknown) => {
      const reply: DecodeReply =
        error instanceof CheckinRefusedError
          ? { id: request.id, ok: false, refusal: { message: error.message, reason: error.reason } }
          : error instanceof XmlRpcFault
            ? { id: request.id, ok: false, fault: { code: error.faultCode, text: error.faultString } }
            : { id: request.id, ok: false, error: (error as Error).message }
      parentPort!.postMessage(reply)
    },
  )
})
