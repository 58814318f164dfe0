import { hostListRemoveCommand } from '../../../lib/cli/host-list-commands.js'

export default hostListRemoveCommand('netblock', {
  summary: 'Remove a netblock from a host.',
  description: 'The netblock is matched in its stored form, so 192.0.2.7 removes 192.0.2.7/32 and 192.0.2.0/255.255.255.0 removes 192.0.2.0/24.',
  examples: [
    { description: 'Remove a netblock', command: '<%= config.bin %> <%= command.id %> "Example University/mirror.example.edu" 192.0.2.0/24' },
    { description: 'By host id, in a script', command: '<%= config.bin %> <%= command.id %> 42 2001:db8::/48 --json' },
  ],
  value: 'The netblock to remove.',
})
