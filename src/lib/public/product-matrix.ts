/**
 * The front page's table: public products, their displayed versions and the public
 * arches; a version × arch cell links only when that version has a repository of that
 * arch. Versions as MirrorManager2 orders them: non-numeric names (rawhide, development)
 * first, then numeric, each newest first.
 */
import type { Sql } from '../db/sql.js'

export interface ProductMatrix {
  products: { name: string; versions: { name: string; arches: string[] }[] }[]
  arches: string[]
}

/** MirrorManager2's version order (model.py Version sort): non-numeric descending, then numeric descending. */
export function compareVersionNames(a: string, b: string): number {
  const numA = /^\d+(\.\d+)*$/.test(a)
  const numB = /^\d+(\.\d+)*$/.test(b)
  if (numA !== numB) return numA ? 1 : -1
  if (!numA) return b.localeCompare(a)
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pb[i] ?? -1) - (pa[i] ?? -1)
    if (diff !== 0) return diff
  }
  return 0
}

export async function productMatrix(sql: Sql): Promise<ProductMatrix> {
  const rows = await sql<{ product: string; version: string | null; arch: string | null }[]>`
    select p.name as product, v.name as version, a.name as arch
    from product p
    left join version v on v.product_id = p.id and v.display
    left join repository r on r.version_id = v.id and not r.disabled
    left join arch a on a.id = r.arch_id and a.publiclist
    where p.publiclist
    group by p.name, v.name, a.name`
  const products = new Map<string, Map<string, Set<string>>>()
  const arches = new Set<string>()
  for (const row of rows) {
    const versions = products.get(row.product) ?? new Map<string, Set<string>>()
    products.set(row.product, versions)
    if (row.version === null) continue
    const set = versions.get(row.version) ?? new Set<string>()
    versions.set(row.version, set)
    if (row.arch) {
      set.add(row.arch)
      arches.add(row.arch)
    }
  }
  return {
    arches: [...arches].sort(),
    products: [...products]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, versions]) => ({
        name,
        versions: [...versions]
          .sort(([a], [b]) => compareVersionNames(a, b))
          .map(([version, set]) => ({ name: version, arches: [...set].sort() })),
      })),
  }
}
