/**
 * Generated documentation: every command carries what the man pages and --help are
 * built from, and the shell completions really complete.
 */
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { Config } from '@oclif/core'
import { cliBuilt } from '../helpers/cli.js'

const root = join(import.meta.dirname, '..', '..')
await cliBuilt() // oclif.manifest.json is written by the build

t.test('every command has a summary, a description and at least two examples', async (t) => {
  const config = await Config.load({ root })
  const commands = config.commands.filter((c) => !c.hidden && c.pluginName === config.pjson.name)
  t.ok(commands.length >= 60, `all the commands are loaded (${commands.length})`)
  for (const command of commands) {
    t.ok((command.summary ?? '').length > 10, `${command.id}: summary`)
    t.ok((command.description ?? '').length > 20, `${command.id}: description`)
    const examples = (command.examples ?? []).map((e) => (typeof e === 'string' ? e : e.command))
    t.ok(examples.length >= 2, `${command.id}: at least two examples`)
    const spaced = command.id.replaceAll(':', ' ')
    for (const example of examples) {
      t.ok(example.includes('<%= command.id %>') || example.includes(spaced), `${command.id}: example runs this command: ${example}`)
    }
  }
})

t.test('regression: commands built on a shared base class lost --json and the database flags in help and man pages', async (t) => {
  const config = await Config.load({ root })
  for (const id of ['host:netblock:add', 'host:acl-ip:remove', 'product:add']) {
    const flags = Object.keys(config.findCommand(id)?.flags ?? {})
    for (const flag of ['json', 'data-dir', 'database-url']) t.ok(flags.includes(flag), `${id} documents --${flag}`)
  }
})

/** COMPREPLY of the generated bash completion for the words typed so far (the last one being completed). */
function bashComplete(...words: string[]): string[] {
  const script = [
    'source completions/mirrormanager.bash',
    `COMP_WORDS=(mirrormanager ${words.map((w) => `'${w}'`).join(' ')})`,
    `COMP_CWORD=${words.length}`,
    '_mirrormanager',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n')
  return execFileSync('bash', ['-c', script], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean)
}

t.test('bash completion offers topics, subcommands and flags', async (t) => {
  const top = bashComplete('')
  for (const topic of ['product', 'version', 'arch', 'category', 'site', 'host', 'repo', 'country-continent', 'netblock-country', 'db']) {
    t.ok(top.includes(topic), `top level offers ${topic}`)
  }
  t.equal(new Set(top).size, top.length, 'no word offered twice')
  t.same(bashComplete('host', '').sort(), ['acl-ip', 'add', 'category', 'coordinates', 'country-allowed', 'crawl-log', 'list', 'locate', 'netblock', 'peer-asn', 'remove', 'show', 'update', 'url'])
  t.same(bashComplete('host', 'netblock', ''), ['add', 'list', 'remove'])
  t.same(bashComplete('site', 'a'), ['add', 'admin'])
  t.same(bashComplete('host', 'netblock', 'add', '--f'), ['--force'])
  t.ok(bashComplete('host', 'add', '--').includes('--country'), 'flags of the command typed')
  t.notOk(bashComplete('host', 'add', '--').includes('--force'), 'not flags of other commands')
  t.same(bashComplete('host', 'update', '--no-adm'), ['--no-admin-active'], 'negated boolean flags')
})
