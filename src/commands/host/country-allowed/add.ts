import { hostListAddCommand } from '../../../lib/cli/host-list-commands.js'

export default hostListAddCommand('country-allowed', {
  summary: 'Restrict a host to clients from the given countries (one per call).',
  description: 'A host with allowed countries is offered only to clients from those countries (for mirrors bound by export rules or national funding). Countries are ISO 3166-1 alpha-2 codes, stored upper case.',
  examples: [
    { description: 'Serve only Germany and Austria', command: '<%= config.bin %> <%= command.id %> "Example GmbH/mirror.example.de" DE && <%= config.bin %> <%= command.id %> "Example GmbH/mirror.example.de" AT' },
    { description: 'By host id, in a script', command: '<%= config.bin %> <%= command.id %> 42 jp --json' },
  ],
  value: 'ISO 3166-1 alpha-2 country code.',
})
