import { hostListAddCommand } from '../../../lib/cli/host-list-commands.js'

export default hostListAddCommand('netblock', {
  summary: 'Add a netblock whose clients a host serves first.',
  description: `Clients in the host's netblocks get it at the top of their mirror list; a private host serves only them. A netblock is CIDR (192.0.2.0/24, 2001:db8::/48), a bare address (stored as /32 or /128), address/dotted-netmask (converted to CIDR), or a DNS host name (resolved when the snapshot is built). Host bits must be zero. Netblocks larger than /16 (IPv4) or /32 (IPv6) need --force: they would send very many clients to one host.`,
  examples: [
    { description: 'A university network', command: '<%= config.bin %> <%= command.id %> "Example University/mirror.example.edu" 192.0.2.0/24 --name campus' },
    { description: 'A whole provider (needs --force)', command: '<%= config.bin %> <%= command.id %> mirror.isp.example.net 198.18.0.0/15 --force' },
  ],
  value: 'CIDR netblock, IP address, address/netmask or DNS host name.',
  name: true,
  force: true,
})
