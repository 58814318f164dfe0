import { Flags } from '@oclif/core'
import { runCheckinServer } from '../http/checkin/run.js'
import { DatabaseCommand } from '../lib/cli/database-command.js'
import { checkinServiceFromConfig } from '../lib/checkin/checkin-service.js'
import type { ConfigKey } from '../lib/config/keys.js'

export default class ServeCheckin extends DatabaseCommand {
  static override summary = 'Accept report-mirror check-ins from private mirrors (XML-RPC and JSON).'
  static override description = `Serves POST /xmlrpc (the XML-RPC "checkin" call every existing report_mirror client makes: urlsafe base64 of bzip2 of JSON) and POST /api/checkin (JSON, optionally Content-Encoding: gzip), and GET /healthz. A check-in is applied in one transaction: directories the host reports are marked up to date or added, directories it no longer reports are removed.

Limits (section [checkin] of the config file): request body size, decompressed size (bzip2 and gzip bombs stop there), check-ins per site (token bucket), check-ins in progress, request time. Pickled payloads of very old clients are refused, never loaded. By default only private hosts may check in (checkin.private_only).

Runs until SIGTERM or SIGINT. Listens on 127.0.0.1 by default: put a TLS reverse proxy in front of it and point the clients' [global] server at https://<name>/xmlrpc.`
  static override examples = [
    { description: 'Serve on the default address and port (127.0.0.1:8081)', command: '<%= config.bin %> <%= command.id %>' },
    {
      description: 'Serve on another port against a PostgreSQL server, public hosts allowed',
      command: 'MM_CHECKIN_PRIVATE_ONLY=false <%= config.bin %> <%= command.id %> --listen 127.0.0.1 --port 9081 --database-url postgres://mm@db/mirrormanager',
    },
  ]
  static override flags = {
    listen: Flags.string({ summary: 'Address to listen on (config checkin.listen).' }),
    port: Flags.integer({ summary: 'TCP port, 0 for any free port (config checkin.port).' }),
  }

  protected override configFlags(flags: Record<string, unknown>): Partial<Record<ConfigKey, unknown>> {
    return { ...super.configFlags(flags), 'checkin.listen': flags.listen, 'checkin.port': flags.port }
  }

  async run(): Promise<{ url: string }> {
    const database = await this.db()
    return runCheckinServer(
      {
        ...checkinServiceFromConfig(database.sql, this.mmConfig, this.logger),
        listen: this.mmConfig.get('checkin.listen'),
        port: this.mmConfig.get('checkin.port'),
      },
      ` (database: ${database.kind} ${database.location})`,
    )
  }
}
