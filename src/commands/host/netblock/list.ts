import { hostListListCommand } from '../../../lib/cli/host-list-commands.js'

export default hostListListCommand('netblock', {
  summary: "List a host's netblocks, with their names.",
  description: 'The netblocks whose clients the host serves first, as added with host netblock add (--name is shown). With --json: an array of {id, host, kind, value, name}.',
  examples: [
    { description: 'As a table', command: '<%= config.bin %> <%= command.id %> "Example University/mirror.example.edu"' },
    { description: 'As JSON', command: '<%= config.bin %> <%= command.id %> mirror.example.edu --json' },
  ],
  name: true,
})
