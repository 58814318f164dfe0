/**
 * How admin commands name a site, product, arch, version or category: by name, or by
 * the numeric id `list` shows (as hosts always could). A name is looked up first, so a
 * version named "41" is still found by its name; digits that name nothing are an id.
 */

/** The id `reference` may be (digits within PostgreSQL's integer range), or null. */
export function referenceId(reference: string): number | null {
  const text = reference.trim()
  if (!/^\d{1,10}$/.test(text)) return null
  const id = Number(text)
  return id <= 2_147_483_647 ? id : null
}
