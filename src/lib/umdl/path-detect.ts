/**
 * Arch and version of a repository, guessed from its path the way MirrorManager always
 * has. This is how a new release is "detected automatically": the first numeric path
 * component that is not a known version becomes a new Version.
 */

/** `source` for source trees, else the first known arch that is a path component. */
export function detectArch(relativePath: string, knownArches: ReadonlySet<string>): string | null {
  const padded = `/${relativePath}/`
  if (relativePath.includes('SRPMS') || padded.includes('/source/')) return 'source'
  for (const component of relativePath.split('/')) if (component !== 'source' && knownArches.has(component)) return component
  return null
}

export interface DetectedVersion {
  name: string
  /** True when this name is not a version of the product yet: create it. */
  isNew: boolean
  /** `/test/` or `/stage/` in the path: a pre-release compose. */
  isTest: boolean
}

const NUMERIC_VERSION = /^\d+(\.\d+)*([-_][A-Za-z0-9]+)*$/

export function detectVersion(relativePath: string, knownVersions: ReadonlySet<string>): DetectedVersion | null {
  const components = relativePath.split('/')
  const padded = `/${relativePath}/`
  const isTest = padded.includes('/test/') || padded.includes('/stage/')
  if (components.includes('rawhide')) return { name: 'development', isNew: !knownVersions.has('development'), isTest }
  // "development" is rawhide's version; development/42 is version 42.
  const known = components.find((component) => component !== 'development' && knownVersions.has(component))
  if (known !== undefined) return { name: known, isNew: false, isTest }
  const numeric = components.find((component) => NUMERIC_VERSION.test(component))
  if (numeric === undefined) return null
  return { name: numeric, isNew: true, isTest }
}
