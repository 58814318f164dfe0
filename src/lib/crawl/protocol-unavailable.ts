/**
 * How a connector or the HTTP client says "this protocol cannot be used here": beside the
 * client that throws it, so that http-client.ts and connectors/connector.ts do not import
 * each other (connector.ts re-exports both names).
 */
/** Thrown inside connectors when the protocol cannot be used at all; caught by runConnector. */
export class ProtocolUnavailable extends Error {}

/** The message of anything thrown, short enough for a log line. */
export function reasonOf(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } }
  const code = e?.code ?? e?.cause?.code
  const message = e?.message ?? String(error)
  const text = code && !message.includes(code) ? `${code}: ${message}` : message
  return text.length > 200 ? `${text.slice(0, 197)}...` : text
}
