/**
 * oclif `command_not_found` hook: `mirrormanager host netblock list mirror.example.edu`
 * used to fail with "command host:netblock:list:mirror.example.edu not found" (colon ids,
 * the argument glued on). Name the words the user typed that are not a command, list
 * what the topic does offer, and exit 2 like every usage error.
 */
import * as Errors from '@oclif/core/errors'
import type { Hook } from '@oclif/core/interfaces'
import type * as Interfaces from '@oclif/core/interfaces'
import { ExitStatus } from '../errors.js'

/** The unknown command as typed, and the commands and topics one level below the known part. */
export function describeUnknownCommand(config: Interfaces.Config, id: string): { typed: string; topic: string; choices: string[] } {
  const parts = id.split(':')
  let depth = parts.length - 1
  while (depth > 0 && !config.findTopic(parts.slice(0, depth).join(':'))) depth--
  const topic = parts.slice(0, depth).join(':')
  const prefix = topic ? `${topic}:` : ''
  const choices = new Set<string>()
  for (const command of config.commands) {
    if (command.hidden || !command.id.startsWith(prefix)) continue
    choices.add(command.id.slice(prefix.length).split(':')[0])
  }
  return { typed: parts.slice(0, depth + 1).join(' '), topic: topic.replaceAll(':', ' '), choices: [...choices].sort() }
}

const hook: Hook<'command_not_found'> = async function ({ id, argv, config }) {
  const { typed, topic, choices } = describeUnknownCommand(config, id)
  const where = topic ? `"${config.bin} ${topic}"` : config.bin
  const message = `unknown command "${typed}"; the commands of ${where} are: ${choices.join(', ')}`
  if (argv?.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ error: { code: 'MM_USAGE', message, exitStatus: ExitStatus.usage } }, null, 2)}\n`)
  }
  throw new Errors.CLIError(message, { exit: ExitStatus.usage, code: 'MM_USAGE', suggestions: [`${config.bin} ${topic ? `${topic} ` : ''}--help`] })
}

export default hook
