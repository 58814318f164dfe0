import { createHash } from 'node:crypto'
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeRepodata } from './repodata.js'

export interface SampleTreeOptions {
  /** Releases to create, oldest first, e.g. ['40', '41']. */
  releases: string[]
  arches: string[]
  /** repomd.xml timestamp of the newest content (epoch seconds). */
  timestamp: number
}

/** Paths of the repositories the sample tree holds, relative to the category top. */
export function sampleRepositoryPaths(options: SampleTreeOptions): string[] {
  const paths: string[] = []
  for (const release of options.releases) {
    for (const arch of options.arches) {
      paths.push(
        `releases/${release}/Everything/${arch}/os`,
        `updates/${release}/Everything/${arch}`,
        `updates/testing/${release}/Everything/${arch}`,
      )
    }
  }
  return paths
}

function writePackages(dir: string, release: string, arch: string, timestamp: number): void {
  const packages = join(dir, 'Packages', 'h')
  mkdirSync(packages, { recursive: true })
  for (const name of ['hello-2.12.1', 'htop-3.3.0']) {
    const file = join(packages, `${name}-1.fc${release}.${arch}.rpm`)
    writeFileSync(file, `not really an rpm: ${name} for Fedora ${release} ${arch}\n`)
    utimesSync(file, timestamp, timestamp)
  }
}

function writeIsoDirectory(dir: string, release: string, arch: string): void {
  mkdirSync(dir, { recursive: true })
  const iso = `Fedora-Everything-netinst-${arch}-${release}-1.4.iso`
  const content = `sample installer image for Fedora ${release} ${arch}\n`
  writeFileSync(join(dir, iso), content)
  const hash = createHash('sha256').update(content).digest('hex')
  writeFileSync(join(dir, `Fedora-Everything-${release}-1.4-${arch}-CHECKSUM`), `# Fedora ${release}\nSHA256 (${iso}) = ${hash}\n`)
}

/**
 * A small but real Fedora-like master tree under `<root>` (the category top, e.g.
 * `<master>/pub/fedora/linux`): releases, updates and updates-testing per arch, each a
 * repository with real repodata, and an ISO directory with a CHECKSUM file.
 */
export function writeSampleTree(root: string, options: SampleTreeOptions): string[] {
  const repositories = sampleRepositoryPaths(options)
  options.releases.forEach((release, index) => {
    // Older releases are older content: their repomd timestamps are a week apart.
    const timestamp = options.timestamp - (options.releases.length - 1 - index) * 7 * 86400
    for (const arch of options.arches) {
      const os = join(root, 'releases', release, 'Everything', arch, 'os')
      writePackages(os, release, arch, timestamp)
      writeRepodata(os, timestamp - 86400)
      writeIsoDirectory(join(root, 'releases', release, 'Everything', arch, 'iso'), release, arch)
      for (const updates of [join(root, 'updates', release, 'Everything', arch), join(root, 'updates', 'testing', release, 'Everything', arch)]) {
        writePackages(updates, release, arch, timestamp)
        writeRepodata(updates, timestamp)
      }
    }
  })
  return repositories
}
