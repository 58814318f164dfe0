/**
 * The umdl integration tests' fixtures (test/integration/umdl.test.ts, umdl-walk.test.ts):
 * a database with the Fedora and EPEL categories, a sample master tree, config files.
 */
import type { Test } from 'tap'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resolveConfig } from '../../src/lib/config/resolve.js'
import { updateMasterDirectoryList, type UmdlOptions } from '../../src/lib/umdl/run.js'
import type { UmdlSummary } from '../../src/lib/umdl/summary.js'
import { asDatabase, openTestDatabase, type DatabaseKind, type TestDatabase } from './database.js'
import { buildMasterTree, seedCategories } from './master-tree.js'

/** Lets the tree's ctimes fall out of umdl's 2-second "racily clean" window. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 2100))

let configs = 0
export function writeConfig(dir: string, toml: string): string {
  const path = join(dir, `mirrormanager-${++configs}.toml`)
  writeFileSync(path, toml)
  return path
}

export async function umdl(db: TestDatabase, configFile: string, options: Omit<UmdlOptions, 'config'> = {}): Promise<UmdlSummary> {
  const config = resolveConfig({ configFile, env: db.env })
  return updateMasterDirectoryList(asDatabase(db), { ...options, config })
}

/** A fresh database with the Fedora and EPEL categories, and a work directory; removed at the end. */
export async function emptyFixture(t: Test, kind: DatabaseKind) {
  const db = await openTestDatabase(kind)
  const work = mkdtempSync(join(tmpdir(), 'mm-umdl-'))
  t.teardown(async () => {
    await db.destroy()
    rmSync(work, { recursive: true, force: true })
  })
  await seedCategories(db.sql)
  return { db, work }
}

/** The same, with a sample master tree. */
export async function fixture(t: Test, kind: DatabaseKind) {
  const { db, work } = await emptyFixture(t, kind)
  return { db, work, ...buildMasterTree(join(work, 'master')) }
}

export const directorySources = (fedora: string, epel: string, extra = '') => `
[umdl]
file_detail_days = 4

[[umdl.category]]
name = "Fedora Linux"
type = "directory"
path = "${fedora}"
excludes = ["^releases/20/Fedora/x86_64/os/Packages"]
${extra}

[[umdl.category]]
name = "Fedora EPEL"
type = "directory"
path = "${epel}"
`
