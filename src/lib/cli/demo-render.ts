import { summaryRecord } from '../crawl/summary.js'
import type { DemoReporter, DemoServing } from '../demo/run-demo.js'
import type { DemoWeb } from '../demo/web-demo.js'
import { renderRecord } from './table.js'
import { renderUmdlSummary } from './umdl-render.js'

const MAX_BODY_LINES = 8

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n')
}

function bodyPreview(body: string): string {
  const lines = body.replace(/\n$/, '').split('\n')
  const shown = lines.slice(0, MAX_BODY_LINES)
  if (lines.length > MAX_BODY_LINES) shown.push(`... (${lines.length - MAX_BODY_LINES} more lines)`)
  return shown.join('\n')
}

/** The web pages' part of the demo's instructions (web-demo.ts). */
function renderDemoWeb(web: DemoWeb): string[] {
  return [
    `The mirror operators' web pages: ${web.url}/login`,
    `  demo account (a mirror admin): ${web.account.username} / ${web.account.password} — or sign up at ${web.url}/user/new`,
    '  (the confirmation link of a sign-up is in this terminal\'s log: no mail is sent)',
    `Register the mirror nobody has registered yet: add a site, a host, the category "Fedora Linux" and its URL`,
    `  ${web.unregisteredUrl}`,
    `Every ${web.roundSeconds} s the demo crawls and writes a new snapshot; the next round's metalink lists the new mirror.`,
    `  Each round also measures propagation and adds serve-mirrorlist's access log (${web.accessLog}) to the statistics:`,
    `  ${web.url}/statistics and ${web.url}/propagation fill by themselves.`,
    'The demo holds its embedded database while it runs (run other commands after Ctrl-C).',
  ]
}

export function renderServing(serving: DemoServing): string {
  const { layout } = serving
  // npx would look the name up on the npm registry outside the clone: an absolute path works anywhere.
  const cli = serving.cliPath
  const out = ['', 'Try it (copy-paste into another terminal):', '']
  for (const answer of serving.answers) {
    out.push(`  # ${answer.title}`, `  curl -i '${answer.url}'`)
    out.push(`  -> ${answer.status}${answer.location ? ` Location: ${answer.location}` : ''}`)
    if (answer.body) out.push(indent(bodyPreview(answer.body), '     | '))
    out.push(`  Note: ${answer.note}`, '')
  }
  out.push(
    `A dnf repository definition pointing at this server is in ${serving.repoFile}:`,
    '',
    indent(serving.repoSnippet.trimEnd(), '  '),
    '',
    'Use it without touching your system configuration:',
    `  dnf --setopt=reposdir=${layout.root} --setopt=cachedir=${layout.root}/dnf-cache --releasever=41 --repo=demo-fedora makecache`,
    '',
    ...(serving.web ? [...renderDemoWeb(serving.web), '', 'After Ctrl-C the data directory is free: run the steps yourself; these lines work from any directory:']
      : ['While this runs, the data directory is free: run the steps yourself in another terminal',
          '(serve-mirrorlist reloads the snapshot when it changes); these lines work from any directory:']),
    `  ${cli} umdl --config ${layout.config} --data-dir ${layout.dataDir}`,
    `  ${cli} crawl --include-private --config ${layout.config} --data-dir ${layout.dataDir}`,
    `  ${cli} generate-snapshot -o ${layout.snapshot} --data-dir ${layout.dataDir}`,
    `  ${cli} host list --data-dir ${layout.dataDir}`,
    `To type \`mirrormanager\` instead, put it on your PATH: \`npm link\` in ${serving.cliRoot}, or \`npm install -g ${serving.cliRoot}\`.`,
    '',
    'Press Ctrl-C to stop. Run `mirrormanager demo` again at any time.',
  )
  return out.join('\n')
}

/** Human output of the demo's steps, as a sysadmin would see them from each command. */
export function textReporter(write: (text: string) => void): DemoReporter {
  return {
    step: (title) => write(`\n==> ${title}`),
    umdl: (summary) => write(renderUmdlSummary(summary)),
    crawl: (summary) => write(renderRecord(summaryRecord(summary))),
    snapshot: (summary) => write(renderRecord(Object.entries(summary))),
    serving: (serving) => write(renderServing(serving)),
  }
}

export const silentReporter: DemoReporter = { step() {}, umdl() {}, crawl() {}, snapshot() {}, serving() {} }
