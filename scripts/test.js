#!/usr/bin/env node
// `npm test [-- tap arguments or test files]`: type-checks everything (`npm run typecheck`,
// one tsc pass over src, test, bench, scripts) AT THE SAME TIME as it transpiles
// (scripts/transpile.js) and runs the compiled tests (test-build/, no module loader), and
// bundles the CLI (scripts/bundle.js), writes the oclif manifest and checks the generated
// docs while the first test files run, so a two-core machine is busy throughout. Exits
// non-zero if either fails; tap's summary stays its last test output (.ci/run reads it).
import { spawn } from 'node:child_process'
import { renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const bin = (name) => join(root, 'node_modules', '.bin', name)

function run(command, args, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env, stdio: 'inherit' })
    child.on('error', (error) => {
      console.error(`npm test: ${command}: ${error.message}`)
      resolve(1)
    })
    child.on('close', (status, signal) => resolve(status ?? (signal ? 1 : 0)))
  })
}

/**
 * The CLI's bundle, its manifest and the docs check (~12 s, esbuild-wasm) run while the first
 * test files do: most files never start the CLI, and the ones that do wait in
 * test/helpers/cli.ts for the marker file named in MM_TEST_CLI_BUILD ("ok" or "failed").
 */
async function buildCli(marker) {
  const finish = (state) => {
    writeFileSync(`${marker}.tmp`, `${state}\n`)
    renameSync(`${marker}.tmp`, marker)
  }
  for (const step of [['scripts/bundle.js'], ['scripts/gen-manifest.js']]) {
    const status = await run(process.execPath, step)
    if (status !== 0) {
      finish(`${step[0]} exited with status ${status}`)
      return status
    }
  }
  finish('ok')
  return run(process.execPath, ['scripts/gen-docs.js', '--check'])
}

async function buildAndTest() {
  const transpiled = await run(process.execPath, ['scripts/transpile.js'])
  if (transpiled !== 0) return transpiled
  const marker = join(root, 'test-build', '.cli-built')
  rmSync(marker, { force: true })
  // test/x.test.ts names its build, test-build/x.test.js: `npm test -- test/unit/x.test.ts` runs one file.
  const args = process.argv.slice(2).map((arg) => (/^(\.\/)?test\/.*\.ts$/.test(arg) ? arg.replace(/^(\.\/)?test\//, 'test-build/').replace(/\.ts$/, '.js') : arg))
  // The unit files run in one process (test/unit/all.ts): a tap process costs more than most of them.
  const files = args.some((arg) => !arg.startsWith('-')) ? [] : ['test-build/unit/all.js', 'test-build/integration/*.test.js', 'test-build/e2e/*.test.js']
  const [built, tested] = await Promise.all([buildCli(marker), run(bin('tap'), [...args, ...files], { ...process.env, MM_TEST_CLI_BUILD: marker })])
  return tested !== 0 ? tested : built
}

const [typecheck, tests] = await Promise.all([run(bin('tsc'), ['--noEmit', '-p', '.']), buildAndTest()])
if (typecheck !== 0) console.error(`npm test: the type check failed (exit status ${typecheck}); see tsc's messages above`)
process.exit(tests !== 0 ? tests : typecheck)
