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
//     `import.meta.dirname/../..` is still the repository root and `../../src/lib/x.js` still
//     names src; scripts/test-loader.js resolves those src imports to dist/. Everything in
//     test/ that is not TypeScript (fixtures) is symlinked. Works for any new file.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const root = fileURLToPath(new URL('..', import.meta.url))
const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8'))
const { options } = ts.convertCompilerOptionsFromJson(
  // ES modules, like the package ("type": "module"); NodeNext alone would guess CommonJS per file here.
  { ...tsconfig.compilerOptions, module: 'ES2022', moduleResolution: 'Bundler', declaration: false },
  root,
)

/** Transpiles the tree `from` into `to` (emptied first); non-TypeScript files are symlinked when `linkOthers`. */
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
