import { hostListListCommand } from '../../../lib/cli/host-list-commands.js'

export default hostListListCommand('peer-asn', {
  summary: "List a host's peer ASNs, with their names.",
  description: 'The autonomous systems whose clients the host serves first. With --json: an array of {id, host, kind, value, name}.',
  examples: [
    { description: 'As a table', command: '<%= config.bin %> <%= command.id %> mirror.example.edu' },
    { description: 'As JSON', command: '<%= config.bin %> <%= command.id %> mirror.example.edu --json' },
  ],
  name: true,
})
