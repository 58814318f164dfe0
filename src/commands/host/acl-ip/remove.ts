import { hostListRemoveCommand } from '../../../lib/cli/host-list-commands.js'

export default hostListRemoveCommand('acl-ip', {
  summary: 'Remove an ACL entry from a host.',
  description: 'The entry is matched in its stored form (IPv6 written any valid way matches).',
  examples: [
    { description: 'Remove an address', command: '<%= config.bin %> <%= command.id %> "Example University/mirror.example.edu" 192.0.2.10' },
    { description: 'By host id, in a script', command: '<%= config.bin %> <%= command.id %> 42 2001:DB8:0::10 --json' },
  ],
  value: 'IP address, netblock or DNS host name.',
})
