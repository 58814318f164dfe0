#!/usr/bin/env node
// `npm test` runs the tests compiled once, not through tap's TypeScript loader: that loader
// (ts-node, which loads the TypeScript compiler into every test process and transpiles
// every imported module again there) cost each test file seconds of start-up.
//
// Every test/**/*.ts is transpiled on its own (types are checked by `npm run typecheck`)
// to test-build/ at the SAME depth as test/, so `import.meta.dirname/../..` is still the
// repository root and `../../src/lib/x.js` still names src; scripts/test-loader.js
// resolves those src imports to the build in dist/. Everything in test/ that is not
// TypeScript (fixtures) is symlinked. Works for any new test file without listing it.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const root = fileURLToPath(new URL('..', import.meta.url))
const source = join(root, 'test')
const target = join(root, 'test-build')
const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8'))
const { options } = ts.convertCompilerOptionsFromJson(
  // ES modules, like the package ("type": "module"); NodeNext alone would guess CommonJS per file here.
  { ...tsconfig.compilerOptions, module: 'ES2022', moduleResolution: 'Bundler', sourceMap: false, inlineSourceMap: true, declaration: false },
  root,
)

rmSync(target, { recursive: true, force: true })
let files = 0
function walk(dir) {
  mkdirSync(join(target, relative(source, dir)), { recursive: true })
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const from = join(dir, entry.name)
    const to = join(target, relative(source, from))
    if (entry.isDirectory() && dirHasTypeScript(from)) walk(from)
    else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      const { outputText } = ts.transpileModule(readFileSync(from, 'utf8'), { compilerOptions: options, fileName: from })
      writeFileSync(to.replace(/\.ts$/, '.js'), outputText)
      files++
    } else if (!existsSync(to)) symlinkSync(from, to)
  }
}
function dirHasTypeScript(dir) {
  return readdirSync(dir, { withFileTypes: true }).some((e) => (e.isDirectory() ? dirHasTypeScript(join(dir, e.name)) : e.name.endsWith('.ts')))
}
walk(source)
console.error(`test-build: ${files} test files transpiled`)
