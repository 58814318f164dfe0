import { hashPassword } from '../sites/password.js'

/**
 * Hashes MirrorManager2's plain-text site passwords (site id -> hash; a NULL password
 * stays null). scrypt is deliberately slow and runs on libuv's thread pool, so a few
 * hashes at a time keep every thread busy without queueing hundreds of them.
 */
export async function hashSitePasswords(
  sites: { id: number; password: string | null }[],
  concurrency = 4,
): Promise<Map<number, string | null>> {
  const hashes = new Map<number, string | null>()
  let next = 0
  const worker = async () => {
    while (next < sites.length) {
      const site = sites[next++]
      hashes.set(site.id, site.password === null ? null : await hashPassword(site.password))
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, sites.length) }, worker))
  return hashes
}
