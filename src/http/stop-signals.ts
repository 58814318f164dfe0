import { once } from 'node:events'

/** The signals that stop a server: SIGTERM (service managers) and SIGINT (Ctrl-C). */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const
export type StopSignal = (typeof STOP_SIGNALS)[number]

/**
 * Resolves with the first stop signal; then stops listening for the others, so a second
 * Ctrl-C during a slow shutdown ends the process the default way.
 */
export async function untilStopSignal(): Promise<StopSignal> {
  const stop = new AbortController()
  const first = await Promise.race(
    STOP_SIGNALS.map((signal) =>
      once(process, signal, { signal: stop.signal }).then(
        () => signal,
        () => undefined,
      ),
    ),
  )
  stop.abort()
  return first as StopSignal
}
