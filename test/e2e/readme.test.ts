/**
 * The README is the manual: every `mirrormanager ...` line in it must be a real command
 * with real flags, so a copy-paste never meets "command not found" or "Nonexistent flag".
 * (The quick start itself, `npx mirrormanager demo`, is run by test/e2e/demo.test.ts.)
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Config } from '@oclif/core'
import { cliBuilt } from '../helpers/cli.js'

const root = join(import.meta.dirname, '..', '..')
await cliBuilt() // oclif.manifest.json is written by the build

/** Every invocation in the README's code blocks and inline code spans, joined across `\` continuations. */
function readmeInvocations(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8').replace(/\\\n\s*/g, ' ')
  const code = [...readme.matchAll(/```[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1])
  const prose = readme.replace(/```[\s\S]*?```/g, '')
  code.push(...[...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]))
  const found = new Set<string>()
  for (const block of code) {
    // cron lines name the user first: "mirrormanager  mirrormanager umdl"
    const text = block.replace(/\bmirrormanager\s+mirrormanager\b/g, 'mirrormanager')
    for (const match of text.matchAll(/(?:^|[\s$(&|;])(?:npx )?mirrormanager ((?:[a-z][\w-]*)(?: [^\n|&;>#]*)?)/gm)) {
      found.add(match[1].trim())
    }
  }
  return [...found]
}

/**
 * Required flags, and groups of which one is required (oclif `exactlyOne`/`atLeastOne`),
 * that a README line leaves out (issue 22: `site password SITE` failed when pasted).
 */
function missingRequiredFlags(flags: Record<string, { char?: string; required?: boolean; exactlyOne?: string[]; atLeastOne?: string[] }>, words: string[]): string[] {
  if (words.includes('--help')) return []
  const given = new Set<string>()
  for (const word of words) {
    const long = /^--(?:no-)?([a-z][\w-]*)/.exec(word)
    if (long) given.add(long[1])
    const short = /^-([a-zA-Z])$/.exec(word)
    if (short) for (const [name, flag] of Object.entries(flags)) if (flag.char === short[1]) given.add(name)
  }
  const missing = new Set<string>()
  for (const [name, flag] of Object.entries(flags)) {
    if (flag.required && !given.has(name)) missing.add(`--${name}`)
    for (const group of [flag.exactlyOne, flag.atLeastOne]) {
      if (group && !group.some((member) => given.has(member))) missing.add(`one of ${group.map((member) => `--${member}`).join('/')}`)
    }
  }
  return [...missing]
}

t.test('every mirrormanager command line in the README names a real command and real flags', async (t) => {
  const config = await Config.load({ root })
  const invocations = readmeInvocations()
  t.ok(invocations.length >= 40, `the README shows many commands (${invocations.length})`)
  for (const line of invocations) {
    const words = line.match(/"[^"]*"|'[^']*'|\S+/g) ?? []
    // The longest run of leading words that is a command id: `host url add ...` -> host:url:add.
    let command
    for (let n = words.length; n > 0 && !command; n--) command = config.findCommand(words.slice(0, n).join(':'))
    if (!command) {
      t.fail(`not a command: mirrormanager ${line}`)
      continue
    }
    const flags = command.flags ?? {}
    const chars = new Set<string>(Object.values(flags).flatMap((flag) => (flag.char ? [flag.char] : [])))
    for (const word of words) {
      const long = /^--(?:no-)?([a-z][\w-]*)/.exec(word)
      if (long) t.ok(long[1] in flags || word.slice(2).split('=')[0] in flags, `${command.id}: --${long[1]} exists (${line})`)
      const short = /^-([a-zA-Z])$/.exec(word)
      if (short) t.ok(chars.has(short[1]), `${command.id}: -${short[1]} exists (${line})`)
    }
    // A bare name (`mirrormanager expire-repo` in a table) refers to the command; a line with
    // arguments or flags is meant to be pasted, so it must carry the required flags.
    const isInvocation = words.length > command.id.split(':').length
    if (isInvocation) t.same(missingRequiredFlags(flags, words), [], `${command.id}: the required flags are given (${line})`)
  }
})
