import * as Flags from '@oclif/core/flags'
import { serveWeb, runWebPrimary, isWebWorker } from '../http/web/server.js'
import { DatabaseCommand } from '../lib/cli/database-command.js'
import type { ConfigKey } from '../lib/config/keys.js'
import { createMailer } from '../lib/users/mail.js'
import { webSettingsFromConfig } from '../lib/users/web-settings.js'

export default class ServeWeb extends DatabaseCommand {
  static override summary = 'Serve the web pages where mirror operators sign up and run their own sites and hosts.'
  static override description = `Pages at MirrorManager2's paths (/login, /user/new, /site/mine, /site/<id>, /host/<id>, /admin/all_sites, ...) over the same library as the admin commands, with accounts (sign-up with mail confirmation, password reset, optional OpenID Connect in [web.oidc]), sessions in the database, one permission rule for web and CLI, an audit trail, and MirrorManager2's JSON API (/api/mirroradmins, /api/repositories). Also GET /healthz and Prometheus /metrics; one access-log line per request on stderr.

Mail goes through [web.mail]; without an SMTP host it is written to the log. Users flagged with \`mirrormanager user admin\` and members of web.admin_group are mirror admins.

On the embedded database serve-web must be the only process using it: next to cron jobs (umdl, crawl, generate-snapshot) use a PostgreSQL server. SIGTERM or SIGINT finishes the requests in flight and exits. Put a TLS proxy in front and use --trust-proxy: cookies are then Secure.`
  static override examples = [
    { description: 'Serve on 127.0.0.1:8082 against a PostgreSQL server', command: '<%= config.bin %> <%= command.id %> --database-url postgres://mm@db/mirrormanager' },
    { description: 'Behind a proxy at https://example.org/mirrormanager, with 4 workers', command: '<%= config.bin %> <%= command.id %> --port 8082 --workers 4 --trust-proxy --base-path /mirrormanager --database-url postgres://mm@db/mirrormanager' },
  ]
  static override flags = {
    listen: Flags.string({ summary: 'Address to listen on (config web.listen). Default: 127.0.0.1.' }),
    port: Flags.integer({ summary: 'TCP port, 0 for any free port (config web.port). Default: 8082.' }),
    workers: Flags.integer({ summary: 'HTTP worker processes (config web.workers; more than one needs PostgreSQL). Default: 1.' }),
    'trust-proxy': Flags.boolean({ summary: 'Take client address and scheme from X-Forwarded-For/-Proto.', allowNo: true }),
    'base-path': Flags.string({ summary: 'Path prefix of every page, e.g. /mirrormanager (config web.base_path).' }),
  }

  protected override configFlags(flags: Record<string, unknown>): Partial<Record<ConfigKey, unknown>> {
    return {
      ...super.configFlags(flags),
      'web.listen': flags.listen,
      'web.port': flags.port,
      'web.workers': flags.workers,
      'web.trust_proxy': flags['trust-proxy'],
      'web.base_path': flags['base-path'],
    }
  }

  async run(): Promise<{ url?: string }> {
    await this.parse(ServeWeb)
    const settings = webSettingsFromConfig(this.mmConfig)
    if (settings.workers > 1 && !isWebWorker()) {
      await runWebPrimary(settings.workers, !this.mmConfig.get('database.url'), this.logger)
      return {}
    }
    const database = await this.db()
    const context = { sql: database.sql, settings, sendMail: createMailer(settings.mail, this.logger), logger: this.logger }
    return serveWeb(context, {
      onListening: (url) => this.logger.info(`serve-web: listening on ${url} (database: ${database.kind} ${database.location})`),
    })
  }
}
