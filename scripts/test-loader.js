// node --import <root>/scripts/test-loader.js: compiled tests (test-build/, see
// scripts/transpile.js) import `../../src/lib/x.js`; there is no such file, only
// src/lib/x.ts and its build dist/lib/x.js. Resolve those imports to dist/.
import { register } from 'node:module'

register('./test-loader-hooks.js', import.meta.url)
