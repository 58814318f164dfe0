/**
 * The path rule as a table: [top, name, path relative to top (undefined: not under top)].
 * Checked against src/lib/catalog/category-path.ts (test/unit/path-rules.test.ts) and
 * against SQL mm_path_in_category (test/integration/crawl.test.ts), so the two stay one rule.
 */
export const CATEGORY_PATH_TABLE: ReadonlyArray<readonly [top: string, name: string, path: string | undefined]> = [
  ['pub/fedora', 'pub/fedora', ''],
  ['pub/fedora/', 'pub/fedora', ''],
  ['pub/fedora', 'pub/fedora/linux', 'linux'],
  ['pub/fedora/', 'pub/fedora/linux', 'linux'],
  ['pub/fedora', 'pub/fedora/linux/releases/41/Everything/x86_64/os/repodata', 'linux/releases/41/Everything/x86_64/os/repodata'],
  ['pub/fedora', 'pub/fedora-secondary', undefined],
  ['pub/fedora', 'pub/fedora-secondary/releases', undefined],
  ['pub/fedora/', 'pub/fedora-secondary', undefined],
  ['pub/fedora', 'pub', undefined],
  ['pub/fedora', 'pub/epel/9', undefined],
  ['pub/fedora', 'other/pub/fedora/linux', undefined],
  ['', 'pub/epel', 'pub/epel'],
]
