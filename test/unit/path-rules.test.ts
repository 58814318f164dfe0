import t from 'tap'
import { directoryInCategory, pathInCategory } from '../../src/lib/catalog/category-path.js'
import { isRepodataPath, repodataPathOf, repositoryPathOf } from '../../src/lib/master/repodata-path.js'
import { CATEGORY_PATH_TABLE } from '../helpers/path-rules-table.js'

t.test('pathInCategory: the path of a directory relative to its category top', async (t) => {
  for (const [top, name, path] of CATEGORY_PATH_TABLE) {
    t.equal(pathInCategory(top, name), path, `top ${JSON.stringify(top)}, name ${JSON.stringify(name)}`)
  }
})

t.test('directoryInCategory is the inverse of pathInCategory', async (t) => {
  for (const [top, name, path] of CATEGORY_PATH_TABLE) {
    if (path !== undefined) t.equal(directoryInCategory(top, path), name, `top ${JSON.stringify(top)}, path ${JSON.stringify(path)}`)
  }
})

t.test('repodata directories', async (t) => {
  const table: ReadonlyArray<[path: string, isRepodata: boolean, repository: string | null, repodata: string]> = [
    ['repodata', true, '', 'repodata'],
    ['', false, null, 'repodata'],
    ['linux/releases/41/Everything/x86_64/os/repodata', true, 'linux/releases/41/Everything/x86_64/os', 'linux/releases/41/Everything/x86_64/os/repodata'],
    ['linux/releases/41/Everything/x86_64/os', false, null, 'linux/releases/41/Everything/x86_64/os/repodata'],
    ['pub/fedora/linux/updates/41/x86_64/repodata', true, 'pub/fedora/linux/updates/41/x86_64', 'pub/fedora/linux/updates/41/x86_64/repodata'],
    ['os/myrepodata', false, null, 'os/myrepodata/repodata'],
    ['os/repodata-old', false, null, 'os/repodata-old/repodata'],
    ['os/repodata/x', false, null, 'os/repodata/x/repodata'],
  ]
  for (const [path, isRepodata, repository, repodata] of table) {
    t.equal(isRepodataPath(path), isRepodata, `isRepodataPath(${JSON.stringify(path)})`)
    t.equal(repositoryPathOf(path), repository, `repositoryPathOf(${JSON.stringify(path)})`)
    t.equal(repodataPathOf(path), repodata, `repodataPathOf(${JSON.stringify(path)})`)
  }
})
