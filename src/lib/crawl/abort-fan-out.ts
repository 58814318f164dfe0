/**
 * One abort listener on a shared signal, however many requests use it at once.
 *
 * undici adds an 'abort' listener to the signal of every request in flight. crawl and
 * `crawl propagation` share one signal (the global or a host deadline) between --threads
 * concurrent requests, so with the default 20 threads Node printed
 * "MaxListenersExceededWarning: ... 11 abort listeners" on every run (issue 22). Each
 * request gets its own child signal instead; the parent carries a single listener that
 * aborts the children in flight, and it is removed when the last child is released.
 */
interface Children {
  controllers: Set<AbortController>
  onAbort: () => void
}

export class AbortFanOut {
  private readonly byParent = new Map<AbortSignal, Children>()

  /**
   * A signal for one request that aborts (with the same reason) when `parent` does, or
   * when its own abort() is called (that request alone); release() when done.
   */
  child(parent: AbortSignal): { signal: AbortSignal; abort(reason?: unknown): void; release(): void } {
    const controller = new AbortController()
    const abort = (reason?: unknown) => controller.abort(reason)
    if (parent.aborted) {
      controller.abort(parent.reason)
      return { signal: controller.signal, abort, release() {} }
    }
    let children = this.byParent.get(parent)
    if (!children) {
      const controllers = new Set<AbortController>()
      const onAbort = () => {
        this.byParent.delete(parent)
        for (const each of controllers) each.abort(parent.reason)
        controllers.clear()
      }
      children = { controllers, onAbort }
      parent.addEventListener('abort', onAbort, { once: true })
      this.byParent.set(parent, children)
    }
    children.controllers.add(controller)
    const owner = children
    return {
      signal: controller.signal,
      abort,
      release: () => {
        owner.controllers.delete(controller)
        if (owner.controllers.size === 0 && this.byParent.get(parent) === owner) {
          parent.removeEventListener('abort', owner.onAbort)
          this.byParent.delete(parent)
        }
      },
    }
  }
}
