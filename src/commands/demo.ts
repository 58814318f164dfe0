import { join } from 'node:path'
import * as Flags from '@oclif/core/flags'
import { runPrimary } from '../http/mirrorlist/primary.js'
import { startDemoWebServer } from '../http/web/server.js'
import { BaseCommand } from '../lib/cli/base-command.js'
import { runDemo, type DemoResult } from '../lib/demo/run-demo.js'
import { silentReporter, textReporter } from '../lib/cli/demo-render.js'
import { listrCrawlProgress } from '../lib/cli/crawl-progress.js'
import { listrTaskRunner } from '../lib/cli/umdl-progress.js'

export default class Demo extends BaseCommand {
  static override summary = 'Run the whole pipeline on a sample network: a working metalink server in a minute.'
  static override description = `Creates a small Fedora-like master tree (two releases, updates and updates-testing, x86_64 and aarch64, real repodata), serves four mirror copies of it over HTTP on 127.0.0.1 (Sweden, Germany, the United States — one release behind — and a private campus mirror reached by netblock), registers them, then runs umdl, crawl and generate-snapshot on an embedded database inside --dir, and starts serve-mirrorlist on --port.

It prints copy-paste curl lines with the answers it got, and a dnf repository definition. Everything lives in --dir (default ./mirrormanager-demo): the demo ignores DATABASE_URL and never touches your real data directory. Stop it with Ctrl-C; running it again rebuilds the sample and re-registers the mirrors.

While serving, the demo also serves the mirror operators' web pages (serve-web) on --web-port with a demo account, serves one more copy of the sample tree that nobody has registered, and crawls and writes a new snapshot every minute: register that copy in the browser and the next round's metalink lists it. Each round also measures propagation and adds serve-mirrorlist's access log (mirrorlist-access.log in --dir) to the statistics, so /statistics and /propagation fill by themselves. --no-web leaves the web pages out.`
  static override examples = [
    { description: 'Run the demo and keep serving until Ctrl-C', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Another directory and port', command: '<%= config.bin %> <%= command.id %> --dir /tmp/mm-demo --port 8080' },
    { description: 'Non-interactive: serve for 10 seconds, answers as JSON', command: '<%= config.bin %> <%= command.id %> --exit-after 10 --json' },
    { description: 'Only build the sample and the snapshot', command: '<%= config.bin %> <%= command.id %> --no-serve' },
  ]

  static override flags = {
    dir: Flags.string({ summary: 'Directory for the sample tree, mirrors, database and snapshot.', default: './mirrormanager-demo' }),
    port: Flags.integer({ summary: 'Port of serve-mirrorlist on 127.0.0.1.', default: 3000, min: 1, max: 65535 }),
    serve: Flags.boolean({ summary: 'Start serve-mirrorlist after the snapshot (--no-serve: stop there).', default: true, allowNo: true }),
    web: Flags.boolean({ summary: 'Also serve the mirror operators\' web pages (--no-web: only the mirror list).', default: true, allowNo: true }),
    'web-port': Flags.integer({ summary: 'Port of the web pages on 127.0.0.1.', default: 3001, min: 1, max: 65535 }),
    'exit-after': Flags.integer({ summary: 'Stop serving after this many seconds (for scripts and tests).', min: 0 }),
  }

  async run(): Promise<DemoResult> {
    const { flags } = await this.parse(Demo)
    const interactive = Boolean(process.stdout.isTTY) && !this.jsonEnabled()
    return runDemo(
      {
        dir: flags.dir,
        port: flags.port,
        serve: flags.serve,
        exitAfterSeconds: flags['exit-after'],
        logger: this.logger,
        interactive,
        umdlTasks: interactive ? listrTaskRunner() : undefined,
        crawlProgress: interactive ? listrCrawlProgress() : undefined,
        serveMirrorlist: runPrimary,
        cliPath: join(this.config.root, 'bin', 'run.js'),
        web: flags.web ? { port: flags['web-port'], start: startDemoWebServer } : undefined,
      },
      this.jsonEnabled() ? silentReporter : textReporter((text) => this.log(text)),
    )
  }
}
