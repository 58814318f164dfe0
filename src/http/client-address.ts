import type { IncomingMessage } from 'node:http'

/**
 * The client address, for every server: the LAST X-Forwarded-For element when we trust a
 * proxy (the one our proxy appended; earlier ones are whatever the client claimed), else
 * the peer.
 */
export function clientAddress(request: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const header = request.headers['x-forwarded-for']
    const value = Array.isArray(header) ? header[header.length - 1] : header
    if (value !== undefined) return value.slice(value.lastIndexOf(',') + 1).trim()
  }
  return request.socket.remoteAddress ?? ''
}
