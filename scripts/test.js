#!/usr/bin/env node
// `npm test [-- tap arguments or test files]`: type-checks everything (`npm run typecheck`,
// one tsc pass over src, test, bench, scripts) AT THE SAME TIME as it transpiles
// (scripts/transpile.js), bundles the CLI (scripts/bundle.js), writes the oclif manifest,
// checks the generated docs and runs the compiled tests (test-build/, no module loader),
// so a two-core machine does both. Exits non-zero if either fails;
// tap's summary stays its last test output (.ci/run reads it).
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const bin = (name) => join(root, 'node_modules', '.bin', name)

function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit' })
    child.on('error', (error) => {
      console.error(`npm test: ${command}: ${error.message}`)
      resolve(1)
    })
    child.on('close', (status, signal) => resolve(status ?? (signal ? 1 : 0)))
  })
}

async function buildAndTest() {
  for (const step of [['scripts/transpile.js'], ['scripts/bundle.js'], ['scripts/gen-manifest.js'], ['scripts/gen-docs.js', '--check']]) {
    const status = await run(process.execPath, step)
    if (status !== 0) return status
  }
  // test/x.test.ts names its build, test-build/x.test.js: `npm test -- test/unit/x.test.ts` runs one file.
  const args = process.argv.slice(2).map((arg) => (/^(\.\/)?test\/.*\.ts$/.test(arg) ? arg.replace(/^(\.\/)?test\//, 'test-build/').replace(/\.ts$/, '.js') : arg))
  // The unit files run in one process (test/unit/all.ts): a tap process costs more than most of them.
  const files = args.some((arg) => !arg.startsWith('-')) ? [] : ['test-build/unit/all.js', 'test-build/integration/*.test.js', 'test-build/e2e/*.test.js']
  return run(bin('tap'), [...args, ...files])
}

const [typecheck, tests] = await Promise.all([run(bin('tsc'), ['--noEmit', '-p', '.']), buildAndTest()])
if (typecheck !== 0) console.error(`npm test: the type check failed (exit status ${typecheck}); see tsc's messages above`)
process.exit(tests !== 0 ? tests : typecheck)
