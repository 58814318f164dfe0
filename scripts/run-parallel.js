#!/usr/bin/env node
// Runs each argument as a shell command, all at once, and exits with the first non-zero
// status (after all have finished). `npm test` uses it to build and type-check at the same
// time: two single-threaded TypeScript compiles on a machine with two or more cores.
import { spawn } from 'node:child_process'

const commands = process.argv.slice(2)
const statuses = await Promise.all(
  commands.map(
    (command) =>
      new Promise((resolve) => {
        const child = spawn(command, { shell: true, stdio: 'inherit' })
        child.on('error', (error) => {
          console.error(`run-parallel: ${command}: ${error.message}`)
          resolve(1)
        })
        child.on('close', (status, signal) => resolve(status ?? (signal ? 1 : 0)))
      }),
  ),
)
const failed = statuses.findIndex((status) => status !== 0)
if (failed >= 0) console.error(`run-parallel: "${commands[failed]}" failed with exit status ${statuses[failed]}`)
process.exit(failed >= 0 ? statuses[failed] : 0)
