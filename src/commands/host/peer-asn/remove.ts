import { hostListRemoveCommand } from '../../../lib/cli/host-list-commands.js'

export default hostListRemoveCommand('peer-asn', {
  summary: 'Remove a peer ASN from a host.',
  description: 'Exit status 5 if the host has no such peer ASN.',
  examples: [
    { description: 'Remove a peer', command: '<%= config.bin %> <%= command.id %> "Example University/mirror.example.edu" 64501' },
    { description: 'By host id, in a script', command: '<%= config.bin %> <%= command.id %> 42 AS64501 --json' },
  ],
  value: 'AS number.',
})
