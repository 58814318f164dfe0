#!/usr/bin/env node
// Part of every build (`npm run build`, `npm test`), after dist/ is written: bundles the CLI
// into dist/bundle/ — oclif with its dependencies, our commands and the library code they
// import — so that a command loads a handful of files instead of ~100 CommonJS modules of
// oclif and ~40 of ours, each resolved, read and compiled on its own. bench/cli measures it.
//
//   dist/bundle/main.js                    bin/run.js imports it (oclif's execute)
//   dist/bundle/commands.<id>.js           one per command (oclif.manifest.json points there)
//   dist/bundle/hook.command-not-found.js  package.json's hook
//   dist/bundle/chunk-<hash>.js            code they share (oclif, the library)
//
// Every output file sits in dist/bundle/, so a library file's `import.meta.url` (the
// migrations, worker and thread modules, data files it finds next to itself) is rewritten to
// name the file it came from: `new URL('../lib/db/migrate.js', import.meta.url).href`. Other
// packages stay where npm put them (imported at run time, as before); only @oclif/core and
// what it requires, and the few packages in BUNDLED, are bundled. dist/ itself is untouched:
// worker processes and threads, and the tests, run it unbundled. Source maps lead back to
// src/*.ts (through dist's own maps): `NODE_OPTIONS=--enable-source-maps` gives stack traces
// in TypeScript lines.
import { readdirSync, rmSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild-wasm'

const root = fileURLToPath(new URL('..', import.meta.url))
const dist = join(root, 'dist')
const outdir = join(dist, 'bundle')

/** oclif's optional development-time requires (TypeScript source support): never needed from a build. */
const NEVER = new Set(['typescript', 'ts-node', 'tsx'])

/**
 * Packages our commands import that are bundled like oclif: pure JavaScript that nearly
 * every command loads (the database client, the config file's parser). From node_modules
 * each costs a package lookup per import and a module per file (postgres: ten).
 */
const BUNDLED = new Set(['@oclif/core', 'postgres', 'smol-toml'])

/**
 * What oclif requires at start-up but a run of a command from the manifest never uses,
 * replaced (for @oclif/core's imports only) by a stand-in in scripts/bundle-shims/ that
 * loads the real package, bundled too, on first use.
 */
const LAZY = new Set(['debug', 'tinyglobby'])
const shims = join(root, 'scripts', 'bundle-shims')

/**
 * oclif sorts the manifest's commands with localeCompare: the run's first use of ICU's
 * collator, ~15 ms of start-up. Our command ids are lower-case ASCII letters, digits, "-" and
 * ":", which sort the same by code unit (test/e2e/cli-usage.test.ts checks it).
 */
const PATCHES = [
  {
    file: join('@oclif', 'core', 'lib', 'config', 'plugin.js'),
    from: '.sort((a, b) => a.id.localeCompare(b.id));',
    to: '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));',
  },
]

function commandEntries(dir = join(dist, 'commands')) {
  const entries = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) entries.push(...commandEntries(path))
    else if (entry.name.endsWith('.js')) {
      const id = relative(join(dist, 'commands'), path).slice(0, -'.js'.length).split(sep).join('.')
      entries.push({ in: path, out: `commands.${id}` })
    }
  }
  return entries
}

/** The file name of a command's bundle entry, as oclif.manifest.json names it (scripts/gen-manifest.js). */
export function commandBundleFile(id) {
  return `commands.${id.replaceAll(':', '.')}.js`
}

const patched = new Set()

const ourPackages = {
  name: 'mirrormanager-packages',
  setup(build) {
    // Bare imports from our own code: external (node_modules as installed), except oclif.
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { external: true }
      const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0]
      if (NEVER.has(name)) return { external: true }
      const fromOurs = args.importer.startsWith(dist + sep)
      if (fromOurs && !BUNDLED.has(name)) return { external: true }
      if (LAZY.has(args.path) && args.importer.includes(`${sep}@oclif${sep}core${sep}`)) return { path: join(shims, `${args.path}.cjs`) }
      return undefined
    })
    for (const patch of PATCHES) {
      build.onLoad({ filter: new RegExp(`${patch.file.replaceAll(sep, `\\${sep}`).replaceAll('.', '\\.')}$`) }, async (args) => {
        const source = await readFile(args.path, 'utf8')
        if (!source.includes(patch.from)) throw new Error(`${args.path} no longer contains \`${patch.from}\`: update PATCHES in scripts/bundle.js`)
        patched.add(patch)
        return { contents: source.replace(patch.from, patch.to), loader: 'js' }
      })
    }
    // import.meta.url of a library file names that file, wherever its code now sits.
    build.onLoad({ filter: /\.js$/ }, async (args) => {
      if (!args.path.startsWith(dist + sep)) return undefined
      const source = await readFile(args.path, 'utf8')
      if (/import\.meta(?!\.url)/.test(source)) {
        throw new Error(`${args.path}: only import.meta.url can be bundled (it is rewritten to name this file)`)
      }
      const from = relative(outdir, args.path).split(sep).join('/')
      return { contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(from)}, import.meta.url).href`), loader: 'js' }
    })
  },
}

export async function bundle() {
  rmSync(outdir, { recursive: true, force: true })
  await esbuild.build({
    entryPoints: [
      { in: join(dist, 'lib', 'cli', 'main.js'), out: 'main' },
      { in: join(dist, 'lib', 'cli', 'command-not-found.js'), out: 'hook.command-not-found' },
      ...commandEntries(),
    ],
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    chunkNames: 'chunk-[hash]',
    // oclif is CommonJS: its require() of Node's modules needs a real require in an ES module.
    banner: { js: "import { createRequire as __mmCreateRequire } from 'node:module'; const require = __mmCreateRequire(import.meta.url);" },
    plugins: [ourPackages],
    logLevel: 'warning',
    legalComments: 'none',
    sourcemap: 'linked',
  })
  esbuild.stop?.()
  const missed = PATCHES.filter((patch) => !patched.has(patch))
  if (missed.length > 0) throw new Error(`not bundled, so not patched: ${missed.map((patch) => patch.file).join(', ')}: update PATCHES in scripts/bundle.js`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundle()
