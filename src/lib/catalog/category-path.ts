/**
 * A directory's path relative to its category's top directory: the one rule, used by umdl,
 * crawl and the serving index. The SQL side is `mm_path_in_category(name, top)` (migration
 * 0008), which follows the same table (test/unit/path-rules.test.ts).
 *
 * Directory names have no leading or trailing slash (`pub/fedora/linux/releases`); a top
 * written with a trailing slash means the same directory. The top itself is `''`; a
 * look-alike prefix (`pub/fedora-secondary` under `pub/fedora`) is not inside.
 */

function withoutTrailingSlash(top: string): string {
  return top.replace(/\/+$/, '')
}

/** `name` relative to `top`, `''` for the top itself, undefined when `name` is not under `top`. An empty top is the root: every name is under it. */
export function pathInCategory(top: string, name: string): string | undefined {
  const root = withoutTrailingSlash(top)
  if (name === root) return ''
  if (root === '') return name
  return name.startsWith(`${root}/`) ? name.slice(root.length + 1) : undefined
}

/** The full directory name of `path` (relative to `top`); the inverse of pathInCategory. */
export function directoryInCategory(top: string, path: string): string {
  const root = withoutTrailingSlash(top)
  if (path === '') return root
  return root === '' ? path : `${root}/${path}`
}
