import { hostListRemoveCommand } from '../../../lib/cli/host-list-commands.js'

export default hostListRemoveCommand('country-allowed', {
  summary: 'Remove an allowed country from a host.',
  description: 'When the last one is removed the host serves clients from every country again.',
  examples: [
    { description: 'Stop restricting to Austria', command: '<%= config.bin %> <%= command.id %> "Example GmbH/mirror.example.de" AT' },
    { description: 'By host id, in a script', command: '<%= config.bin %> <%= command.id %> 42 JP --json' },
  ],
  value: 'ISO 3166-1 alpha-2 country code.',
})
