import * as Flags from '@oclif/core/flags'
import { runCheckinServer } from '../http/checkin/run.js'
import { DatabaseCommand } from '../lib/cli/database-command.js'
import { checkinServiceFromConfig } from '../lib/checkin/checkin-service.js'
import type { ConfigKey } from '../lib/config/keys.js'
import { assertPortFree } from '../lib/net/port-in-use.js'

export default class ServeCheckin extends DatabaseCommand {
  static override summary = 'Accept report-mirror check-ins from private mirrors (XML-RPC and JSON).'
  static override description = `Serves POST /xmlrpc (the XML-RPC "checkin" call every existing report_mirror client makes: urlsafe base64 of bzip2 of JSON) and POST /api/checkin (JSON, optionally Content-Encoding: gzip), and GET /healthz. A check-in is applied in one transaction: directories the host reports are marked up to date or added, directories it no longer reports are removed.

Site, password and host are verified before the payload is decompressed in full: only the identity sections are read first (streamed, in a worker thread), so a request with a wrong password costs little. Decompressing and parsing run in worker threads, never on the thread that answers.

Limits (section [checkin] of the config file, see SECURITY.md): request body size and body time (checkin.body_timeout), decompressed size (bzip2 and gzip bombs stop there), connections per client address, failed check-ins per client address (IPv6: per /64; a site's own check-ins are never refused because someone else failed), successful check-ins per site, check-ins in progress (counted once the body has arrived), request time. Pickled payloads of very old clients are refused, never loaded. By default only private hosts may check in (checkin.private_only).

Runs until SIGTERM or SIGINT. Listens on 127.0.0.1 by default: put a TLS reverse proxy in front of it, point the clients' [global] server at https://<name>/xmlrpc, and use --trust-proxy so limits apply to the client's address, not the proxy's.`
  static override examples = [
    { description: 'Serve on the default address and port (127.0.0.1:8081)', command: '<%= config.bin %> <%= command.id %>' },
    {
      description: 'Serve on another port against a PostgreSQL server, public hosts allowed',
      command: 'MM_CHECKIN_PRIVATE_ONLY=false <%= config.bin %> <%= command.id %> --listen 127.0.0.1 --port 9081 --database-url postgres://mm@db/mirrormanager',
    },
    { description: 'Behind nginx or haproxy, which append the client address to X-Forwarded-For', command: '<%= config.bin %> <%= command.id %> --trust-proxy' },
  ]
  static override flags = {
    listen: Flags.string({ summary: 'Address to listen on (config checkin.listen).' }),
    port: Flags.integer({ summary: 'TCP port, 0 for any free port (config checkin.port).' }),
    'trust-proxy': Flags.boolean({ summary: 'Take the client address from the last X-Forwarded-For element (config checkin.trust_proxy).', allowNo: true }),
  }

  protected override configFlags(flags: Record<string, unknown>): Partial<Record<ConfigKey, unknown>> {
    return { ...super.configFlags(flags), 'checkin.listen': flags.listen, 'checkin.port': flags.port, 'checkin.trust_proxy': flags['trust-proxy'] }
  }

  async run(): Promise<{ url: string }> {
    const listen = this.mmConfig.get('checkin.listen')
    const port = this.mmConfig.get('checkin.port')
    await assertPortFree(listen, port)
    const database = await this.db()
    return runCheckinServer(
      { ...checkinServiceFromConfig(database, { config: this.mmConfig, logger: this.logger }), listen, port },
      ` (database: ${database.kind} ${database.location})`,
    )
  }
}
