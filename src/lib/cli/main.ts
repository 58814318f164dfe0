/**
 * The CLI's entry (bin/run.js imports its bundle, dist/bundle/main.js — scripts/bundle.js):
 * oclif's execute over this package's commands, found from the package root above this file.
 */
import { execute } from '@oclif/core/execute'

await execute({ dir: import.meta.url })
