import { hostListListCommand } from '../../../lib/cli/host-list-commands.js'

export default hostListListCommand('acl-ip', {
  summary: 'List the addresses a host may pull from the master mirror with.',
  description: 'The ACL entries (addresses, netblocks, DNS names) of the host. With --json: an array of {id, host, kind, value, name}.',
  examples: [
    { description: 'As a table', command: '<%= config.bin %> <%= command.id %> mirror.example.edu' },
    { description: 'As JSON', command: '<%= config.bin %> <%= command.id %> mirror.example.edu --json' },
  ],
})
