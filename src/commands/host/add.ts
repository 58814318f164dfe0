import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { hostFields, hostFlags } from '../../lib/cli/admin-flags.js'
import { addHost, type Host } from '../../lib/hosts/hosts.js'

export default class HostAdd extends AdminCommand {
  static override summary = 'Add a mirror host to a site, optionally with the categories it carries.'
  static override description = `Hosts are named SITE/HOST everywhere (or by their host name alone when no other site has a host of that name, or by numeric id). The host name is the mirror's DNS name. --country is required.

Everything given (the host and each --category) is added in one transaction: if anything is rejected — an unknown category, a bad country code, a bandwidth that is not a positive whole number — nothing is added. Add URLs with \`mirrormanager host url add\`.`
  static override examples = [
    { description: 'A host carrying the main Fedora tree', command: '<%= config.bin %> <%= command.id %> "Example University/mirror.example.edu" --country US --bandwidth 10000 --category "Fedora Linux"' },
    { description: 'A private host inside a company network', command: '<%= config.bin %> <%= command.id %> "Example Corp/mirror.corp.example.com" --country DE --private --asn 64500' },
  ]
  static override args = { host: Args.string({ description: 'SITE/HOST: the site name and the host\'s DNS name.', required: true }) }
  static override flags = {
    ...hostFlags,
    country: Flags.string({ summary: hostFlags.country.summary, required: true }),
    category: Flags.string({ summary: 'A category the host carries (repeatable).', multiple: true }),
    'always-up2date': Flags.boolean({ summary: 'The --category trees are always up to date (not crawled).' }),
  }

  async run(): Promise<Host> {
    const { args, flags } = await this.parse(HostAdd)
    const fields = { ...hostFields(flags), country: flags.country }
    const host = await this.audited('host.create', { host: args.host }, (tx) => addHost(tx, args.host, fields, { categories: flags.category, alwaysUp2date: flags['always-up2date'] }), { subjectAfter: (h) => ({ host: String(h.id) }) })
    this.showRecord(host)
    return host
  }
}
