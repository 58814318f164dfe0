import { readFileSync } from 'node:fs'

/** `mirrormanager-crawler/VERSION (+CONTACT)`: names the tool and whom a mirror operator can ask. */
export function crawlerUserAgent(contactUrl: string): string {
  let version = '0'
  try {
    version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version
  } catch {
    // running from an unusual layout: the version is only informative
  }
  return `mirrormanager-crawler/${version} (+${contactUrl})`
}
