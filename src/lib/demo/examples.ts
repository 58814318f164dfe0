import { DEMO_CATEGORY, DEMO_TOPDIR, DEMO_RELEASES } from './layout.js'

export interface DemoExample {
  title: string
  path: string
  /** What the reader should notice in the answer. */
  note: string
}

const NEWEST = DEMO_RELEASES[DEMO_RELEASES.length - 1]
const OLDER = DEMO_RELEASES[0]

/** The requests the demo makes itself and prints as copy-paste curl lines. */
export function demoExamples(): DemoExample[] {
  return [
    {
      title: 'Mirror list for a release repository',
      path: `/mirrorlist?repo=fedora-${NEWEST}&arch=x86_64`,
      note: `mirror.us.example is absent: it carries only release ${OLDER}, so the crawler marked releases/${NEWEST} stale there.`,
    },
    {
      title: 'Why each mirror was chosen or left out (the demo serves with --debug-selection)',
      path: `/mirrorlist?repo=fedora-${NEWEST}&arch=x86_64&explain=1`,
      note: 'one line per host: mirror.us.example "does not have" releases/' + NEWEST + ' "up to date"; the campus mirror is private.',
    },
    {
      title: 'The same for the older release',
      path: `/mirrorlist?repo=fedora-${OLDER}&arch=x86_64`,
      note: 'here mirror.us.example is current, so it is offered.',
    },
    {
      title: 'Metalink (what dnf fetches): repomd.xml size, hashes and mirrors',
      path: `/metalink?repo=updates-released-f${NEWEST}&arch=x86_64`,
      note: 'dnf accepts a mirror\'s repomd.xml only if its hash is listed here.',
    },
    {
      title: 'Answer as if the client were in Germany',
      path: `/mirrorlist?repo=fedora-${NEWEST}&arch=x86_64&country=de`,
      note: 'the German mirror comes first (country tier); country= lists stop there, with no global fill.',
    },
    {
      title: 'A client inside the private mirror\'s netblock',
      path: `/mirrorlist?repo=fedora-${NEWEST}&arch=x86_64&ip=192.0.2.10`,
      note: 'the private campus mirror is offered first ("Using preferred netblock"); nobody else ever sees it.',
    },
    {
      title: 'A path, redirected to the best mirror',
      path: `/mirrorlist?path=${DEMO_TOPDIR}/releases/${NEWEST}/Everything/x86_64/iso/&redirect=1`,
      note: 'a 302 to the first mirror of the list (see the Location header with curl -i).',
    },
  ]
}

export function dnfRepoSnippet(baseUrl: string): string {
  return [
    '[demo-fedora]',
    `name=Demo ${DEMO_CATEGORY} $releasever - $basearch`,
    `metalink=${baseUrl}/metalink?repo=fedora-$releasever&arch=$basearch`,
    'enabled=1',
    'gpgcheck=0',
    '',
    '[demo-updates]',
    `name=Demo ${DEMO_CATEGORY} $releasever - $basearch - Updates`,
    `metalink=${baseUrl}/metalink?repo=updates-released-f$releasever&arch=$basearch`,
    'enabled=1',
    'gpgcheck=0',
    '',
  ].join('\n')
}
