import { ALWAYS_EXCLUDED } from './config.js'

/** True when a path (relative to the category top) is excluded by the source or always. */
export function isExcluded(path: string, excludes: readonly RegExp[]): boolean {
  for (const pattern of ALWAYS_EXCLUDED) if (pattern.test(path)) return true
  for (const pattern of excludes) if (pattern.test(path)) return true
  return false
}
