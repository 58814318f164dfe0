import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DEMO_ARCHES, DEMO_CATEGORY, DEMO_MIRRORS, DEMO_RELEASES, DEMO_TOPDIR, type DemoLayout } from './layout.js'
import { writeSampleTree } from './sample-tree.js'

/**
 * Writes the master tree and one copy per mirror (the stale mirror without the newest
 * release), and the config file umdl reads. Everything is rebuilt on every run, so the
 * demo can be run again and again.
 */
export function buildDemoTrees(layout: DemoLayout, now: number): Record<string, string> {
  rmSync(layout.master, { recursive: true, force: true })
  rmSync(layout.mirrors, { recursive: true, force: true })
  const top = join(layout.master, DEMO_TOPDIR)
  writeSampleTree(top, { releases: DEMO_RELEASES, arches: DEMO_ARCHES, timestamp: now - 3600 })
  const roots: Record<string, string> = {}
  for (const mirror of DEMO_MIRRORS) {
    const root = join(layout.mirrors, mirror.name)
    mkdirSync(join(root, DEMO_TOPDIR), { recursive: true })
    for (const part of ['releases', 'updates', 'updates/testing']) {
      for (const release of mirror.releases) {
        cpSync(join(top, part, release), join(root, DEMO_TOPDIR, part, release), { recursive: true, preserveTimestamps: true })
      }
    }
    roots[mirror.name] = root
  }
  writeFileSync(
    layout.config,
    [
      '# Written by `mirrormanager demo`: the umdl source of the demo master tree.',
      '[[umdl.category]]',
      `name = ${JSON.stringify(DEMO_CATEGORY)}`,
      'type = "directory"',
      `path = ${JSON.stringify(top)}`,
      '',
    ].join('\n'),
  )
  return roots
}
