/** Entry point of a serve-mirrorlist worker process (node:cluster `exec`). */
import { WORKER_OPTIONS_ENV, WORKER_SLOT_ENV, type ServerOptions } from './options.js'
import { runWorker } from './worker.js'

const options = JSON.parse(process.env[WORKER_OPTIONS_ENV] ?? '{}') as ServerOptions
await runWorker(options, Number(process.env[WORKER_SLOT_ENV] ?? 1))
