/**
 * Check-in bodies and their compressed bytes go to and from the decode workers as
 * transfers (the ArrayBuffer moves; nothing is copied) when the bytes own their whole
 * buffer. Small Buffers may be slices of Node's shared allocation pool, and transferring
 * that would detach every other Buffer in it: those (and other slices) are cloned.
 */
const SHARED_POOL_LIMIT = 8 * 1024

export function transferList(data: Uint8Array | string): ArrayBuffer[] {
  if (typeof data === 'string') return []
  const buffer = data.buffer
  if (!(buffer instanceof ArrayBuffer)) return []
  const whole = data.byteOffset === 0 && data.byteLength === buffer.byteLength
  return whole && data.byteLength >= SHARED_POOL_LIMIT ? [buffer] : []
}

/** The bytes in a buffer of their own (copied when they are a slice), so they can be transferred. */
export function owned(data: Uint8Array): Uint8Array {
  return transferList(data).length > 0 || data.byteLength < SHARED_POOL_LIMIT ? data : new Uint8Array(data)
}
