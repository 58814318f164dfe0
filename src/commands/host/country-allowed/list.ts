import { hostListListCommand } from '../../../lib/cli/host-list-commands.js'

export default hostListListCommand('country-allowed', {
  summary: 'List the countries a host is restricted to.',
  description: 'Empty: the host serves every country. With --json: an array of {id, host, kind, value, name}.',
  examples: [
    { description: 'As a table', command: '<%= config.bin %> <%= command.id %> mirror.example.edu' },
    { description: 'As JSON', command: '<%= config.bin %> <%= command.id %> mirror.example.edu --json' },
  ],
})
