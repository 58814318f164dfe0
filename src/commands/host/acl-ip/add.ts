import { hostListAddCommand } from '../../../lib/cli/host-list-commands.js'

export default hostListAddCommand('acl-ip', {
  summary: 'Allow an address to pull from the master mirror (rsync ACL).',
  description: 'ACL entries of all hosts make up the master\'s rsync access list. An entry is an IP address, a netblock (any size) or a DNS host name.',
  examples: [
    { description: 'The host\'s own address', command: '<%= config.bin %> <%= command.id %> "Example University/mirror.example.edu" 192.0.2.10' },
    { description: 'An IPv6 address, by host id', command: '<%= config.bin %> <%= command.id %> 42 2001:db8::10 --json' },
  ],
  value: 'IP address, netblock or DNS host name.',
})
