/** Prometheus text for serve-web: requests by route and status class, and their duration. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

export class WebMetrics {
  readonly #requests = new Map<string, number>()
  readonly #buckets = new Array<number>(BUCKETS.length).fill(0)
  #count = 0
  #sum = 0

  observe(route: string, status: number, seconds: number): void {
    const key = `route="${route.replace(/["\\\n]/g, '_')}",status="${Math.floor(status / 100)}xx"`
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1)
    this.#count++
    this.#sum += seconds
    BUCKETS.forEach((le, i) => {
      if (seconds <= le) this.#buckets[i]++
    })
  }

  render(): string {
    const lines = ['# HELP mirrormanager_web_requests_total HTTP requests answered, by route and status class.', '# TYPE mirrormanager_web_requests_total counter']
    for (const [labels, n] of this.#requests) lines.push(`mirrormanager_web_requests_total{${labels}} ${n}`)
    lines.push('# HELP mirrormanager_web_request_seconds Time to answer a request.', '# TYPE mirrormanager_web_request_seconds histogram')
    BUCKETS.forEach((le, i) => lines.push(`mirrormanager_web_request_seconds_bucket{le="${le}"} ${this.#buckets[i]}`))
    lines.push(`mirrormanager_web_request_seconds_bucket{le="+Inf"} ${this.#count}`, `mirrormanager_web_request_seconds_sum ${this.#sum}`, `mirrormanager_web_request_seconds_count ${this.#count}`)
    return lines.join('\n') + '\n'
  }
}
