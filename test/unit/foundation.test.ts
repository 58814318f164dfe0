import t from 'tap'
import * as errors from '../../src/lib/errors.js'
import { resolveConfig } from '../../src/lib/config/resolve.js'
import { renderSampleConfig } from '../../src/lib/config/sample.js'
import { configKeys } from '../../src/lib/config/keys.js'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { importCircles, readImportGraph, reachableFrom, type ImportGraph } from '../helpers/import-graph.js'

t.test('error catalogue: stable codes, distinct exit statuses per failure kind', async (t) => {
  const classes = (Object.values(errors) as unknown[]).filter(
    (value): value is new (message: string) => errors.MirrorManagerError =>
      typeof value === 'function' && value.prototype instanceof errors.MirrorManagerError,
  )
  t.ok(classes.length >= 10, 'the catalogue has the documented failure kinds')
  const codes = new Set<string>()
  for (const Class of classes) {
    const error = new Class('x')
    t.match(error.code, /^MM_[A-Z_]+$/, `${Class.name} has a stable code`)
    t.ok(Object.values(errors.ExitStatus).includes(error.exitStatus as never), `${Class.name} exit status is documented`)
    t.not(error.exitStatus, 0, `${Class.name} never exits 0`)
    t.equal(error.name, Class.name)
    codes.add(error.code)
  }
  t.equal(codes.size, classes.length, 'codes are unique')
  const cause = new Error('root')
  t.equal(new errors.ConfigError('bad', { cause, key: 'a.b' }).cause, cause, 'cause chains')
})

function tempFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'mm-cfg-')), 'mirrormanager.toml')
  writeFileSync(path, text)
  return path
}

t.test('config precedence: flags > environment > file > defaults', async (t) => {
  const file = tempFile('[database]\npool_max = 7\nconnect_timeout = 30\n[log]\nlevel = "debug"\n')
  const env = { MM_DB_POOL_MAX: '12', MM_DATA_DIR: '/srv/mm' }
  const config = resolveConfig({ configFile: file, env, flags: { 'log.level': 'error' } })
  t.equal(config.get('log.level'), 'error', 'flag beats file')
  t.equal(config.get('database.pool_max'), 12, 'environment beats file')
  t.equal(config.get('database.connect_timeout'), 30, 'file beats default')
  t.equal(config.get('database.wait_timeout'), 600, 'default')
  t.equal(config.get('database.data_dir'), '/srv/mm')
  t.equal(config.get('database.url'), undefined)
  t.equal(resolveConfig({ env: { MM_CONFIG: file } }).get('database.pool_max'), 7, 'MM_CONFIG names the file')
})

t.test('config: a bad value is an error naming the key, never a silent default', async (t) => {
  t.throws(() => resolveConfig({ env: { MM_DB_POOL_MAX: 'lots' }, configFile: '/dev/null' }), {
    code: 'MM_CONFIG_INVALID',
    key: 'database.pool_max',
    message: /MM_DB_POOL_MAX \(config key database.pool_max\): expected a number/,
  })
  t.throws(() => resolveConfig({ env: { DATABASE_URL: 'mysql://x/y' }, configFile: '/dev/null' }), {
    key: 'database.url',
    message: /scheme must be one of postgres, postgresql/,
  })
  t.throws(() => resolveConfig({ configFile: tempFile('[database]\npool_maxx = 3\n') }), {
    message: /unknown config key database.pool_maxx/,
  })
  t.throws(() => resolveConfig({ configFile: tempFile('[database\n') }), { message: /not valid TOML/ })
  // issue 22: a misspelled section or a stray top-level key was silently ignored.
  t.throws(() => resolveConfig({ configFile: tempFile('[crawll]\nthreads = 3\n') }), {
    code: 'MM_CONFIG_INVALID',
    key: 'crawll',
    message: /unknown config section \[crawll\]; did you mean \[crawl\]\?/,
  })
  t.throws(() => resolveConfig({ configFile: tempFile('foo = 1\n') }), { key: 'foo', message: /unknown config top-level key foo/ })
  t.throws(() => resolveConfig({ configFile: '/nonexistent/mm.toml' }), { message: /cannot read config file/ })
  t.throws(() => resolveConfig({ configFile: tempFile('[log]\nlevel = "loud"\n') }), {
    message: /config key log.level: must be one of error, warn, info, debug/,
  })
  t.throws(() => resolveConfig({ env: { MM_DB_WAIT: 'perhaps' }, configFile: '/dev/null' }), { key: 'database.wait', message: /MM_DB_WAIT/ })
})

t.test('the sample config lists every key at its default and parses back to the defaults', async (t) => {
  const sample = renderSampleConfig()
  for (const spec of configKeys) t.match(sample, `#${spec.key.split('.')[1]} = `, spec.key)
  const uncommented = sample.replace(/^#(\w+ = )/gm, '$1').replace(/^\w+ = ""$/gm, '') // keys without a default stay unset
  const config = resolveConfig({ configFile: tempFile(uncommented), env: {} })
  t.equal(config.get('database.pool_max'), 10)
})

// The one-way rules of docs/ARCHITECTURE.md, read from the import statements of src/.
t.test('import rules: commands → lib ← http, no circles, the serving path never reaches the database', async (t) => {
  const graph = readImportGraph(join(import.meta.dirname, '..', '..'))
  t.ok(graph.files.length > 100 && graph.edges.length > graph.files.length, `read ${graph.files.length} files, ${graph.edges.length} imports`)
  const layer = (file: string) => (file.startsWith('src/commands/') ? 'commands' : file.startsWith('src/http/') ? 'http' : 'lib')
  const forbidden: Record<string, string[]> = { lib: ['http', 'commands'], http: ['commands'], commands: [] }
  const upward = graph.edges
    .filter((e) => forbidden[layer(e.from)].includes(layer(e.to)))
    .map((e) => `${e.from} imports '${e.specifier}' (${e.to}): ${layer(e.from)} must not import ${layer(e.to)}`)
  t.same(upward, [], 'src/lib imports neither src/http nor src/commands; src/http does not import src/commands')

  t.same(importCircles(graph).map((circle) => circle.join(' → ')), [], 'no import circles')

  const toDatabase: string[] = []
  for (const file of graph.files.filter((f) => f.startsWith('src/lib/mirrorlist/'))) {
    for (const [reached, path] of reachableFrom(graph, file)) {
      if (reached.startsWith('src/lib/db/')) toDatabase.push(path.join(' → '))
    }
  }
  t.same(toDatabase, [], 'src/lib/mirrorlist/ reaches nothing in src/lib/db/, even through other modules')
})

t.test('import rules: the graph walk finds a circle and the path to a file', async (t) => {
  // The rules above pass when the walk finds nothing; this shows that it finds what is there.
  const imports = new Map([
    ['a.ts', ['b.ts']],
    ['b.ts', ['c.ts', 'd.ts']],
    ['c.ts', ['a.ts']],
    ['d.ts', ['d.ts']],
    ['e.ts', ['a.ts']],
  ])
  const graph: ImportGraph = { files: [...imports.keys()], edges: [], imports }
  t.same(importCircles(graph).map((c) => c.join(' → ')).sort(), ['a.ts → b.ts → c.ts → a.ts', 'd.ts → d.ts'])
  t.same(reachableFrom(graph, 'e.ts').get('c.ts'), ['e.ts', 'a.ts', 'b.ts', 'c.ts'])
  t.notOk(reachableFrom(graph, 'd.ts').has('a.ts'))
})

// regression (issue 22, start-up time): the '@oclif/core' barrel loads 160 CommonJS modules
// (help, ux, parser, ...), its subpaths what a command needs (~100); cli-table3 is loaded
// when a table is drawn, not by every admin command's import.
t.test('start-up: no value import of the @oclif/core barrel or of cli-table3 at the top of a module', async (t) => {
  const root = join(import.meta.dirname, '..', '..')
  const files = ['bin/run.js', ...readImportGraph(root).files]
  t.ok(files.length > 100, `${files.length} files`)
  const offending = files.filter((file) => /^import (?!type )[^\n]* from '(@oclif\/core|cli-table3)'$/m.test(readFileSync(join(root, file), 'utf8')))
  t.same(offending, [], 'import from @oclif/core/<subpath>; require cli-table3 where a table is drawn')
})
