// Stands in for `tinyglobby` in the CLI's bundle, where @oclif/core imports it (scripts/bundle.js,
// LAZY): oclif globs for commands only when there is no manifest, so the package (with fdir and
// picomatch) is loaded on first use instead of at every start.
'use strict'

let real
const load = () => (real ??= require('tinyglobby'))

module.exports = {
  glob: (...args) => load().glob(...args),
  globSync: (...args) => load().globSync(...args),
  escapePath: (...args) => load().escapePath(...args),
  isDynamicPattern: (...args) => load().isDynamicPattern(...args),
  convertPathToPattern: (...args) => load().convertPathToPattern(...args),
}
