import { addCategory, getCategory } from '../catalog/categories.js'
import { addProduct, getProduct } from '../catalog/products.js'
import type { Sql } from '../db/sql.js'
import { NotFoundError } from '../errors.js'
import { addHostListEntry } from '../hosts/host-lists.js'
import { addHostUrl } from '../hosts/host-urls.js'
import { addHost } from '../hosts/hosts.js'
import { setHostCoordinates } from '../geo/host-locations.js'
import { inTransaction } from '../db/sql.js'
import { addSite, removeSite } from '../sites/sites.js'
import { DEMO_CATEGORY, DEMO_MIRRORS, DEMO_PRODUCT, DEMO_SITE, DEMO_TOPDIR } from './layout.js'

async function ensure<T>(find: () => Promise<T>, create: () => Promise<T>): Promise<T> {
  try {
    return await find()
  } catch (error) {
    if (error instanceof NotFoundError) return create()
    throw error
  }
}

/**
 * Registers the demo's product, category, site and hosts with their URLs, through the
 * same library calls as `product add`, `category add`, `site add`, `host add`,
 * `host url add` and `host netblock add`. The site is replaced on every run (with its
 * hosts), so the URLs always match this run's mirror server.
 */
export async function registerDemoNetwork(sql: Sql, urlOf: (mirror: string) => string): Promise<void> {
  await inTransaction(sql, async (tx) => {
    await ensure(() => getProduct(tx, DEMO_PRODUCT), () => addProduct(tx, { name: DEMO_PRODUCT }))
    await ensure(
      () => getCategory(tx, DEMO_CATEGORY),
      () => addCategory(tx, DEMO_CATEGORY, { product: DEMO_PRODUCT, topdir: DEMO_TOPDIR }),
    )
    await removeSite(tx, DEMO_SITE, { force: true }).catch((error) => {
      if (!(error instanceof NotFoundError)) throw error
    })
    await addSite(tx, DEMO_SITE, { orgUrl: 'https://mirrors.example.org/' })
    for (const mirror of DEMO_MIRRORS) {
      const reference = `${DEMO_SITE}/${mirror.name}`
      await addHost(tx, reference, { country: mirror.country, bandwidth: mirror.bandwidth, private: mirror.private ?? false })
      await addHostUrl(tx, reference, DEMO_CATEGORY, `${urlOf(mirror.name)}/${DEMO_TOPDIR}`)
      if (mirror.netblock) await addHostListEntry(tx, 'netblock', reference, mirror.netblock)
      await setHostCoordinates(tx, reference, mirror.location)
    }
  })
}
