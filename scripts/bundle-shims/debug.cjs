// Stands in for the `debug` package in the CLI's bundle, where @oclif/core's logger imports
// it (scripts/bundle.js, LAZY): oclif makes its loggers at start-up, and the package (with
// its colour and tty support) is loaded only when DEBUG is set, the only time they print.
'use strict'

function off(namespace) {
  const log = Object.assign(function () {}, { enabled: false, namespace, log() {}, destroy: () => false })
  log.extend = (more, delimiter = ':') => off(namespace + delimiter + more)
  return log
}

module.exports = process.env.DEBUG
  ? require('debug')
  : Object.assign(off, { enable: (...args) => require('debug').enable(...args), enabled: () => false, disable: () => '' })
