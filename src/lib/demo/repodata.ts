import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

/**
 * Writes a real (empty) yum repository's repodata: primary, filelists and other
 * metadata, gzipped, named by their sha256 as createrepo_c names them, and a repomd.xml
 * that points at them. dnf accepts it; umdl reads its timestamps and hashes.
 */
const NAMESPACES: Record<string, string> = {
  primary: 'xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm"',
  filelists: 'xmlns="http://linux.duke.edu/metadata/filelists"',
  other: 'xmlns="http://linux.duke.edu/metadata/other"',
}
const ROOTS: Record<string, string> = { primary: 'metadata', filelists: 'filelists', other: 'otherdata' }

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex')

export function writeRepodata(repoDir: string, timestamp: number): void {
  const repodata = join(repoDir, 'repodata')
  mkdirSync(repodata, { recursive: true })
  const entries = Object.keys(ROOTS).map((type) => {
    const open = `<?xml version="1.0" encoding="UTF-8"?>\n<${ROOTS[type]} ${NAMESPACES[type]} packages="0">\n</${ROOTS[type]}>\n`
    const gz = gzipSync(open, { level: 9 })
    const name = `${sha256(gz)}-${type}.xml.gz`
    writeFileSync(join(repodata, name), gz)
    return [
      `  <data type="${type}">`,
      `    <checksum type="sha256">${sha256(gz)}</checksum>`,
      `    <open-checksum type="sha256">${sha256(open)}</open-checksum>`,
      `    <location href="repodata/${name}"/>`,
      `    <timestamp>${timestamp}</timestamp>`,
      `    <size>${gz.length}</size>`,
      `    <open-size>${Buffer.byteLength(open)}</open-size>`,
      '  </data>',
    ].join('\n')
  })
  const repomd = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">',
    `  <revision>${timestamp}</revision>`,
    ...entries,
    '</repomd>',
    '',
  ].join('\n')
  writeFileSync(join(repodata, 'repomd.xml'), repomd)
}
