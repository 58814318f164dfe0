import { existsSync } from 'node:fs'
import { NotFoundError } from '../errors.js'
import type { Logger } from '../log.js'

/**
 * serve-mirrorlist without its snapshot answers 503 to everything until one appears: say
 * so loudly at start, or (`--require-snapshot`, for units that must not start empty) refuse.
 */
export function checkSnapshotPresent(file: string, required: boolean, logger: Logger): void {
  if (existsSync(file)) return
  if (required) {
    throw new NotFoundError(`snapshot ${file} does not exist; run generate-snapshot first (or drop --require-snapshot to start anyway and answer 503 until it appears)`)
  }
  logger.warn(`snapshot ${file} does not exist: every request is answered 503 until generate-snapshot writes it (--require-snapshot makes this an error)`)
}
