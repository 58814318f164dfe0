#!/usr/bin/env node
// `npm test`'s build: every TypeScript file of src/ and test/ transpiled on its own
// (ts.transpileModule: no type information needed, seconds instead of a full compile),
// while `npm run typecheck` checks the types of all of them at the same time, once. The
// code is written for that (`isolatedModules` in tsconfig.json: no const enums, type-only
// exports marked), so the output is what `npm run build` (tsc) emits. `npm run build`
// stays the build of record (prepare, packages).
//
//   src/**/*.ts  -> dist/**/*.js  (as tsc -p tsconfig.build.json lays it out)
//   test/**/*.ts -> test-build/**/*.js, at the SAME depth as test/, so
//     `import.meta.dirname/../..` is still the repository root; a test's imports of
//     `../../src/lib/x.js` (there is no such file, only x.ts) are rewritten to the build,
//     `../../dist/lib/x.js`, so the tests need no module loader (a resolve hook cost every
//     test process ~0.5 s of CPU). Everything in test/ that is not TypeScript (fixtures) is
//     symlinked. Works for any new file.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const root = fileURLToPath(new URL('..', import.meta.url))
const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8'))
const { options } = ts.convertCompilerOptionsFromJson(
  // ES modules, like the package ("type": "module"); NodeNext alone would guess CommonJS per file here.
  { ...tsconfig.compilerOptions, module: 'ES2022', moduleResolution: 'Bundler', declaration: false },
  root,
)

const src = join(root, 'src') + sep
const IMPORT_SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"\n]+\.js)\2/g

/** `code` of the test file `source`, its imports of src/ modules pointed at their build in dist/. */
function importsToDist(code, source) {
  return code.replace(IMPORT_SPECIFIER, (whole, keyword, quote, specifier) => {
    const target = resolve(dirname(source), specifier)
    if (!target.startsWith(src)) return whole
    const built = relative(dirname(source), join(root, 'dist', relative(src, target))).split(sep).join('/')
    return `${keyword}${quote}${built.startsWith('.') ? built : `./${built}`}${quote}`
  })
}

/** Transpiles the tree `from` into `to` (emptied first); non-TypeScript files are symlinked when `linkOthers` (the tests' tree). */
function transpileTree(from, to, linkOthers) {
  rmSync(to, { recursive: true, force: true })
  let files = 0
  const walk = (dir) => {
    mkdirSync(join(to, relative(from, dir)), { recursive: true })
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const source = join(dir, entry.name)
      const target = join(to, relative(from, source))
      if (entry.isDirectory() && (linkOthers ? hasTypeScript(source) : true)) walk(source)
      else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const output = ts.transpileModule(readFileSync(source, 'utf8'), { compilerOptions: options, fileName: source })
        if (linkOthers) output.outputText = importsToDist(output.outputText, source)
        const js = target.replace(/\.ts$/, '.js')
        if (output.sourceMapText) {
          // Like tsc's: the map next to the file, naming the source relative to it.
          const map = JSON.parse(output.sourceMapText)
          map.file = entry.name.replace(/\.ts$/, '.js')
          map.sources = [relative(join(js, '..'), source)]
          writeFileSync(`${js}.map`, JSON.stringify(map))
          writeFileSync(js, output.outputText.replace(/\/\/# sourceMappingURL=.*$/m, `//# sourceMappingURL=${map.file}.map`))
        } else writeFileSync(js, output.outputText)
        files++
      } else if (linkOthers && !existsSync(target)) symlinkSync(source, target)
    }
  }
  walk(from)
  return files
}

function hasTypeScript(dir) {
  return readdirSync(dir, { withFileTypes: true }).some((e) => (e.isDirectory() ? hasTypeScript(join(dir, e.name)) : e.name.endsWith('.ts')))
}

const built = transpileTree(join(root, 'src'), join(root, 'dist'), false)
const tests = transpileTree(join(root, 'test'), join(root, 'test-build'), true)
console.error(`transpile: ${built} files to dist/, ${tests} to test-build/`)
