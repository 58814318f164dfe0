/**
 * Database writes of a crawl run go through one queue: the network side crawls many
 * hosts at once, but the embedded database has a single connection, and one host's
 * results are one transaction. The queue also keeps a slow write from being started
 * twice at once against a PostgreSQL server.
 */
export interface WriteQueue {
  push<T>(write: () => Promise<T>): Promise<T>
  /** Resolves once every queued write has settled. */
  drain(): Promise<void>
}

export function createWriteQueue(): WriteQueue {
  let tail: Promise<unknown> = Promise.resolve()
  return {
    push<T>(write: () => Promise<T>): Promise<T> {
      const next = tail.then(write, write)
      tail = next.catch(() => {})
      return next
    },
    async drain() {
      await tail
    },
  }
}
