import * as Flags from '@oclif/core/flags'
import { AdminCommand } from '../../lib/cli/admin-command.js'
import { describeChange, listAudit, parseSince, type AuditRecord } from '../../lib/audit/audit.js'

export default class AuditList extends AdminCommand {
  static override summary = 'List recorded changes to sites and hosts: who, when, what, before and after.'
  static override description = 'Changes made in serve-web and by the admin commands (recorded as the local OS user), newest first. With --json: the full before and after objects.'
  static override examples = [
    { description: 'The last day of one site', command: '<%= config.bin %> <%= command.id %> --site "Example University" --since 24h' },
    { description: 'Everything since a date, for a script', command: '<%= config.bin %> <%= command.id %> --since 2026-12-01 --json' },
  ]
  static override flags = {
    site: Flags.string({ summary: 'Only changes of this site (by name; also a removed one).' }),
    since: Flags.string({ summary: 'Only changes since a date (2026-12-01, 2026-12-01T10:00Z) or for a duration back (90m, 24h, 7d).' }),
    limit: Flags.integer({ summary: 'At most this many entries.', default: 1000, min: 1 }),
  }

  async run(): Promise<AuditRecord[]> {
    const { flags } = await this.parse(AuditList)
    const entries = await listAudit(await this.sql(), { site: flags.site, since: flags.since === undefined ? undefined : parseSince(flags.since), limit: flags.limit })
    this.showTable(
      [
        { header: 'when', value: (e: AuditRecord) => e.at },
        { header: 'who', value: (e) => e.actor },
        { header: 'action', value: (e) => e.action },
        { header: 'target', value: (e) => e.target },
        { header: 'change', value: (e) => describeChange(e.before, e.after).slice(0, 100) },
      ],
      entries,
      'no changes recorded',
    )
    return entries
  }
}
