import * as Flags from '@oclif/core/flags'
import { BaseCommand } from '../lib/cli/base-command.js'
import type { ConfigKey } from '../lib/config/keys.js'
import { runPrimary, type ServeSummary } from '../http/mirrorlist/primary.js'
import { serverOptionsFromConfig } from '../http/mirrorlist/options.js'
import { assertPortFree } from '../lib/net/port-in-use.js'

export default class ServeMirrorlist extends BaseCommand {
  static override summary = 'Answer metalink and mirrorlist requests from a snapshot file (what dnf and yum talk to).'
  static override description = `Runs a primary process and --workers HTTP worker processes on --listen:--port. Every worker loads the snapshot made by generate-snapshot into memory and answers /metalink and /mirrorlist (any path prefix) exactly like MirrorManager2; the database is never touched.

SIGHUP (and with --watch a replaced file) reloads the snapshot without dropping a request: workers load and validate it one at a time and switch only when it is valid; an invalid file is rejected with a log line and the previous snapshot keeps serving. SIGUSR1 reopens the access log (logrotate). SIGTERM or SIGINT stops accepting connections, finishes requests in flight and exits 0. A worker that dies is replaced.

With --snapshot-url, the snapshot is fetched over http(s) from a web server that publishes what generate-snapshot writes: once at start (before the workers load), then every --snapshot-poll-interval seconds (± 20 %, so many servers do not poll in step) with If-None-Match/If-Modified-Since. A new file is downloaded next to --snapshot, validated like a reload (format, schema, content checksum), installed in its place and reloaded; a failed fetch keeps the snapshot in place and is logged once and counted in /metrics.

GET /healthz answers 200 with the snapshot's age (503 while no snapshot is loaded); GET /metrics answers Prometheus text summed over all workers. Behind haproxy or nginx, use --trust-proxy so the client address is taken from the last X-Forwarded-For element.`
  static override examples = [
    {
      description: 'Serve the default snapshot on 127.0.0.1:3000 with 2 workers, locating clients with a GeoIP database',
      command: '<%= config.bin %> <%= command.id %> --geoip /usr/share/GeoIP/GeoLite2-Country.mmdb',
    },
    {
      description: 'Behind a proxy, with ASN matching, an access log for statistics and automatic reloads',
      command:
        '<%= config.bin %> <%= command.id %> --snapshot /var/lib/mirrormanager/mirrorlist.avro --port 18081 --workers 4 --trust-proxy --global-netblocks /var/lib/mirrormanager/global_netblocks.txt --log /var/log/mirrormanager/mirrorlist.log --watch',
    },
    {
      description: 'A mirrorlist server on another machine, pulling the snapshot the backend publishes every 60 s',
      command: '<%= config.bin %> <%= command.id %> --snapshot /var/lib/mirrormanager/mirrorlist.avro --snapshot-url https://backend.example.org/mirrorlist.avro --require-snapshot',
    },
  ]

  static override flags = {
    snapshot: Flags.string({ summary: 'Snapshot file made by generate-snapshot. Default: snapshot.file ($MM_SNAPSHOT_FILE).' }),
    listen: Flags.string({ summary: 'Address to listen on. Default: 127.0.0.1.' }),
    port: Flags.integer({ summary: 'TCP port (0: any free port, printed at start). Default: 3000.' }),
    workers: Flags.integer({ summary: 'HTTP worker processes. Default: 2.' }),
    minimum: Flags.integer({ summary: 'Add the global list when fewer mirrors than this were found. Default: 5.' }),
    geoip: Flags.string({ summary: 'GeoIP country database (.mmdb, MaxMind or flat country_code schema). Default: the bundled CC0 database; none: no GeoIP.' }),
    'global-netblocks': Flags.string({ summary: 'Global netblocks file ("<cidr> <asn>" lines) for ASN matching.' }),
    'country-continent': Flags.string({ summary: 'File of "<country> <continent>" lines overriding the built-in table.' }),
    log: Flags.string({ summary: 'Access log file (statistics input); reopened on SIGUSR1.' }),
    'trust-proxy': Flags.boolean({ summary: 'Take the client address from the last X-Forwarded-For element.', allowNo: true }),
    watch: Flags.boolean({ summary: 'Reload when the snapshot file is replaced.', allowNo: true }),
    'require-snapshot': Flags.boolean({ summary: 'Exit with status 5 when the snapshot file does not exist (after the first fetch with --snapshot-url; default: warn and answer 503 until it appears).' }),
    'debug-selection': Flags.boolean({ summary: 'Allow explain=1: the answer says why each host was chosen or excluded.', allowNo: true }),
    'family-filter': Flags.boolean({ summary: 'Keep IPv6 clients off IPv4-only mirrors and IPv4 clients off IPv6-only ones (--no-family-filter: the reference\'s answers). Default: on.', allowNo: true }),
    'snapshot-url': Flags.string({ summary: 'Fetch the snapshot from this http(s) URL at start and every --snapshot-poll-interval; a valid new one replaces --snapshot and is reloaded.' }),
    'snapshot-poll-interval': Flags.integer({ summary: 'Seconds between fetches of --snapshot-url (± 20 % jitter). Default: 60.' }),
    'max-snapshot-age': Flags.integer({ summary: 'Seconds: /healthz reports 503 "stale" when the snapshot is older (answers go on). Default: 0, no limit.' }),
  }

  protected override configFlags(flags: Record<string, unknown>): Partial<Record<ConfigKey, unknown>> {
    return {
      ...super.configFlags(flags),
      'snapshot.file': flags.snapshot,
      'mirrorlist.listen': flags.listen,
      'mirrorlist.port': flags.port,
      'mirrorlist.workers': flags.workers,
      'mirrorlist.minimum': flags.minimum,
      'mirrorlist.geoip': flags.geoip,
      'mirrorlist.global_netblocks': flags['global-netblocks'],
      'mirrorlist.country_continent': flags['country-continent'],
      'mirrorlist.log': flags.log,
      'mirrorlist.trust_proxy': flags['trust-proxy'],
      'mirrorlist.watch': flags.watch,
      'mirrorlist.debug_selection': flags['debug-selection'],
      'mirrorlist.family_filter': flags['family-filter'],
      'mirrorlist.max_snapshot_age': flags['max-snapshot-age'],
      'mirrorlist.snapshot_url': flags['snapshot-url'],
      'mirrorlist.snapshot_poll_interval': flags['snapshot-poll-interval'],
    }
  }

  async run(): Promise<ServeSummary> {
    const { flags } = await this.parse(ServeMirrorlist)
    const options = serverOptionsFromConfig(this.mmConfig, { requireSnapshot: flags['require-snapshot'] })
    await assertPortFree(options.listen, options.port)
    const summary = await runPrimary({ ...options, logger: this.logger })
    // The same numbers as /metrics mirrormanager_mirrorlist_reloads_total: reload rounds, not the loads at start.
    this.logger.info(`stopped: ${summary.reloads.ok} reloads, ${summary.reloads.rejected} rejected, ${summary.workerRestarts} worker restarts`)
    return summary
  }
}
