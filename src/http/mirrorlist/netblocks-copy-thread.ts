/**
 * A thread of the serve-mirrorlist primary that parses the global netblocks file into its
 * compact copy and exits (primary.ts): the parse's ~100 MB of heap go with the thread
 * instead of staying in the primary for its lifetime.
 */
import { workerData } from 'node:worker_threads'
import { loadGlobalNetblocks } from '../../lib/netblocks/global-netblocks.js'

const { file, copy } = workerData as { file: string; copy: string }
await loadGlobalNetblocks(file, { compactCopy: copy })
