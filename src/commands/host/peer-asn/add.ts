import { hostListAddCommand } from '../../../lib/cli/host-list-commands.js'

export default hostListAddCommand('peer-asn', {
  summary: 'Add an autonomous system whose clients a host serves first.',
  description: 'For hosts that peer with other networks: clients in a peer ASN are treated like clients in the host\'s own ASN. An ASN is a whole number from 1 to 4294967295 (AS prefix allowed).',
  examples: [
    { description: 'A peer network', command: '<%= config.bin %> <%= command.id %> "Example University/mirror.example.edu" 64501 --name "Regional research network"' },
    { description: 'Written with the AS prefix', command: '<%= config.bin %> <%= command.id %> mirror.example.edu AS4200000000' },
  ],
  value: 'AS number.',
  name: true,
})
