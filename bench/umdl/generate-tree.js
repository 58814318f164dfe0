// Generates a synthetic master tree for the umdl bench: 50 x 100 x 10 leaf directories
// (55,151 directories in all) with 10 empty files each (500,000 files), plus one
// repository (repodata/repomd.xml) in every 100th leaf. Empty files: umdl reads metadata.
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const SHAPE = { top: 50, middle: 100, leaf: 10, files: 10 }

export function generateTree(root, shape = SHAPE, { countOnly = false } = {}) {
  let directories = 1
  let files = 0
  if (countOnly) {
    // The same counts as the loops below make (the tree exists already).
    const leaves = shape.top * shape.middle * shape.leaf
    const repositories = shape.top * Math.ceil(shape.middle / 10)
    return { directories: 1 + shape.top + shape.top * shape.middle + leaves + repositories, files: leaves * shape.files + repositories }
  }
  mkdirSync(root, { recursive: true })
  for (let a = 0; a < shape.top; a++) {
    for (let b = 0; b < shape.middle; b++) {
      for (let c = 0; c < shape.leaf; c++) {
        const leaf = join(root, `r${a}`, `Everything${b}`, c === 0 ? 'x86_64' : `d${c}`)
        mkdirSync(leaf, { recursive: true })
        directories += c === 0 ? (b === 0 ? 3 : 2) : 1
        for (let f = 0; f < shape.files; f++) closeSync(openSync(join(leaf, `package-${f}.noarch.txt`), 'w'))
        files += shape.files
        if (c === 0 && b % 10 === 0) {
          mkdirSync(join(leaf, 'repodata'))
          writeFileSync(join(leaf, 'repodata', 'repomd.xml'), `<repomd><data type="primary"><timestamp>${1731400000 + a}</timestamp></data></repomd>\n`)
          directories++
          files++
        }
      }
    }
  }
  return { directories, files }
}
