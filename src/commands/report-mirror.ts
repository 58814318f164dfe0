import * as Flags from '@oclif/core/flags'
import { BaseCommand } from '../lib/cli/base-command.js'
import { reportMirror, type ReportMirrorResult } from '../lib/checkin/report-mirror.js'
import type { ConfigKey } from '../lib/config/keys.js'
import { renderDryRun } from '../lib/checkin/render-dry-run.js'
import { RemoteRefusedError } from '../lib/errors.js'

export default class ReportMirror extends BaseCommand {
  static override summary = 'Tell MirrorManager which directories this mirror carries (run after each rsync).'
  static override description = `A drop-in replacement for the report_mirror client of private mirrors: reads the same INI file (/etc/mirrormanager-client/report_mirror.conf), walks the path of every enabled category section, and sends the directory list to the [global] server over XML-RPC, so it works against any MirrorManager server. With "transport = json" in [global] (or a server URL ending in /api/checkin) it uses the JSON endpoint of mirrormanager serve-checkin instead.

Honours http_proxy, https_proxy and no_proxy. Connection failures and 5xx replies are retried with exponential backoff. Prints the server's reply. Exit status 0 when the server accepted the check-in, 3 for a configuration error, 9 when the server refused it (bad site name or password, unknown host, not private), 10 when it could not be reached.`
  static override examples = [
    { description: 'Check in after an rsync (the cron line of most mirrors)', command: '<%= config.bin %> <%= command.id %> -c /etc/mirrormanager-client/report_mirror.conf' },
    { description: 'Build the payload and look at it without sending', command: '<%= config.bin %> <%= command.id %> -n -o /tmp/checkin.json' },
    { description: 'Leave out directories listed in a file', command: '<%= config.bin %> <%= command.id %> --exclude-from /etc/mirrormanager-client/exclude' },
  ]
  // -c is the INI file of the client, as in the original; the TOML config still comes from
  // MM_CONFIG. The cast only drops the base --config flag, which this command redefines.
  static override baseFlags = { 'log-level': BaseCommand.baseFlags['log-level'] } as unknown as typeof BaseCommand.baseFlags
  static override flags = {
    config: Flags.string({ char: 'c', summary: 'The client configuration file (INI).', default: '/etc/mirrormanager-client/report_mirror.conf' }),
    'no-send': Flags.boolean({ char: 'n', summary: "Build the payload but don't send it." }),
    output: Flags.string({ char: 'o', summary: 'Write the payload (JSON) to this file.' }),
    input: Flags.string({ char: 'i', summary: 'Send the payload read from this JSON file instead of walking the disk.' }),
    debug: Flags.boolean({ char: 'd', summary: 'Log debugging output, the payload included, to stderr.' }),
    'exclude-from': Flags.string({ summary: 'Leave out directories whose path contains one of the patterns in this file (one per line).' }),
    transport: Flags.string({ summary: 'How to talk to the server (default: [global] transport, else auto).', options: ['auto', 'xmlrpc', 'json'] }),
    retries: Flags.integer({ summary: 'Retries after a connection failure or a 5xx reply.', default: 3, min: 0, max: 10 }),
    'retry-delay': Flags.integer({ summary: 'Seconds before the first retry (doubled for each further one).', default: 10, min: 0, max: 600 }),
  }

  protected override configFileFlag(): string | undefined {
    return undefined
  }

  protected override configFlags(flags: Record<string, unknown>): Partial<Record<ConfigKey, unknown>> {
    return { 'log.level': flags.debug ? 'debug' : flags['log-level'] }
  }

  async run(): Promise<ReportMirrorResult> {
    const { flags } = await this.parse(ReportMirror)
    const result = await reportMirror({
      configFile: flags.config,
      noSend: flags['no-send'],
      output: flags.output,
      input: flags.input,
      excludeFrom: flags['exclude-from'],
      transport: flags.transport as 'auto' | 'xmlrpc' | 'json' | undefined,
      retries: flags.retries,
      retryDelaySeconds: flags['retry-delay'],
      userAgent: `mirrormanager-report-mirror/${this.config.version}`,
      logger: this.logger,
    })
    if (result.sent) this.log(result.sent.reply)
    else if (flags['no-send']) this.log(renderDryRun(result))
    if (result.sent && !result.sent.accepted) {
      throw new RemoteRefusedError(`the server refused the check-in: ${result.sent.reply.split('\n')[0]}`, { details: { reply: result.sent.reply } })
    }
    return result
  }
}
