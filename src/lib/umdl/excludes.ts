import { ALWAYS_EXCLUDED } from './config.js'

/** True when a path (relative to the category top) is excluded by the source or always. */
export function isExcluded(path: string, excludes: readonly RegExp[]): boolean {
  for (const pattern of ALWAYS_EXCLUDED) if (pattern.test(path)) return true
  for (const pattern of excludes) if (pattern.test(path)) return true
  return false
}

const ALWAYS_EXCLUDED_NAMES = new Set(['.snapshot', '.~tmp~'])

/**
 * The same test for an entry whose parent is known not to be excluded: the always-excluded
 * names need only a look at the entry's own name (this runs once per file on a first scan).
 */
export function isChildExcluded(name: string, path: string, excludes: readonly RegExp[]): boolean {
  if (ALWAYS_EXCLUDED_NAMES.has(name)) return true
  for (const pattern of excludes) if (pattern.test(path)) return true
  return false
}
