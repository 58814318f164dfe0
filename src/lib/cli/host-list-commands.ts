/**
 * `host netblock|peer-asn|country-allowed|acl-ip add|remove`: the same shape for each of
 * the per-host lists, so one implementation with each command's own help text.
 */
import * as Args from '@oclif/core/args'
import type { Command } from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import { HOST_REFERENCE_HELP } from '../hosts/host-ref.js'
import { addHostListEntry, listHostEntries, removeHostListEntry, type HostListEntry, type HostListKind } from '../hosts/host-lists.js'
import { AdminCommand } from './admin-command.js'
import type { Column } from './table.js'

export interface HostListCommandText {
  summary: string
  description: string
  examples: { description: string; command: string }[]
  /** Help for the VALUE argument. */
  value: string
  /** Offer --name (netblocks and peer ASNs have one) and --force (netblocks). */
  name?: boolean
  force?: boolean
}

const nameFlag = Flags.string({ summary: 'A label for the entry, e.g. the network\'s name.' })
const forceFlag = Flags.boolean({ summary: 'Accept a netblock larger than /16 (IPv4) or /32 (IPv6).' })

/** The metadata both verbs share: help text, and the HOST and VALUE arguments. */
function hostListCommandBase(text: HostListCommandText) {
  abstract class HostListCommand extends AdminCommand {
    /**
     * oclif's parse() spreads the options it is given, which loses statics inherited from
     * this base class; pass them explicitly, as BaseCommand.init does.
     */
    protected parseHostList() {
      const ctor = this.ctor as typeof HostListCommand
      return this.parse({ args: ctor.args, flags: ctor.flags, baseFlags: ctor.baseFlags, enableJsonFlag: true, strict: true })
    }

    static override summary = text.summary
    static override description = `${HOST_REFERENCE_HELP} ${text.description}`
    static override examples = text.examples
    static override args = {
      host: Args.string({ description: HOST_REFERENCE_HELP, required: true }),
      value: Args.string({ description: text.value, required: true }),
    }
  }
  return HostListCommand
}

export function hostListAddCommand(kind: HostListKind, text: HostListCommandText): typeof Command {
  return class extends hostListCommandBase(text) {
    static override flags = { ...(text.name ? { name: nameFlag } : {}), ...(text.force ? { force: forceFlag } : {}) }

    async run(): Promise<HostListEntry> {
      const { args, flags } = await this.parseHostList()
      const options = { name: flags.name as string | undefined, force: flags.force as boolean | undefined }
      const host = args.host as string
      const added = await this.audited(`host.${kind}.add`, { host }, (tx) => addHostListEntry(tx, kind, host, args.value as string, options), { after: (e) => ({ value: e.value, name: e.name }) })
      this.log(`added ${kind} ${added.value} to "${added.host}"`)
      return added
    }
  }
}

export function hostListRemoveCommand(kind: HostListKind, text: HostListCommandText): typeof Command {
  return class extends hostListCommandBase(text) {
    async run(): Promise<HostListEntry> {
      const { args } = await this.parseHostList()
      const host = args.host as string
      const removed = await this.audited(`host.${kind}.remove`, { host }, (tx) => removeHostListEntry(tx, kind, host, args.value as string), { before: async () => args.value, after: () => null })
      this.log(`removed ${kind} ${removed.value} from "${removed.host}"`)
      return removed
    }
  }
}

/** `host <list> list HOST`: the entries with their names (a table, or --json). */
export function hostListListCommand(kind: HostListKind, text: Omit<HostListCommandText, 'value'>): typeof Command {
  return class extends AdminCommand {
    static override summary = text.summary
    static override description = `${HOST_REFERENCE_HELP} ${text.description}`
    static override examples = text.examples
    static override args = { host: Args.string({ description: HOST_REFERENCE_HELP, required: true }) }

    async run(): Promise<HostListEntry[]> {
      const ctor = this.ctor as typeof AdminCommand
      const { args } = await this.parse({ args: ctor.args, flags: ctor.flags, baseFlags: ctor.baseFlags, enableJsonFlag: true, strict: true })
      const entries = await listHostEntries(await this.sql(), kind, args.host as string)
      const columns: Column<HostListEntry>[] = [{ header: kind, value: (entry) => String(entry.value) }]
      if (text.name) columns.push({ header: 'name', value: (entry: HostListEntry) => entry.name ?? '' })
      this.showTable(columns, entries, `no ${kind} entries`)
      return entries
    }
  }
}
