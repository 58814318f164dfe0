/** The host-selection flags shared by `crawl` and `crawl start`, and what they mean for the library. */
import * as Flags from '@oclif/core/flags'
import { parseFraction, type HostSelection } from '../crawl/select-hosts.js'
import type { CrawlMode } from '../crawl/types.js'

export const hostSelectionFlags = {
  startid: Flags.integer({ summary: 'Only hosts with an id at least this.', min: 0 }),
  stopid: Flags.integer({ summary: 'Only hosts with an id below this (exclusive).', min: 1 }),
  fraction: Flags.string({ summary: 'K:N — this is crawler K of N; each host goes to exactly one crawler (by id).' }),
  category: Flags.string({ summary: 'Only this category (repeatable).', multiple: true }),
  continent: Flags.string({ summary: 'Only hosts on this continent (repeatable); ^EU excludes Europe.', multiple: true }),
  host: Flags.string({ summary: 'Only this host, by name or id (repeatable).', multiple: true }),
  'include-private': Flags.boolean({ summary: 'Crawl private hosts and private URLs too.' }),
  'include-disabled': Flags.boolean({ summary: 'Crawl disabled hosts too (a host the crawler disabled is re-enabled when it passes).' }),
  canary: Flags.boolean({ summary: "Only check that each category's base URL answers.", exclusive: ['repodata'] }),
  repodata: Flags.boolean({ summary: 'Only check the */repodata directories.' }),
}

interface SelectionFlagValues {
  startid?: number
  stopid?: number
  fraction?: string
  category?: string[]
  continent?: string[]
  host?: string[]
  'include-private': boolean
  'include-disabled': boolean
  canary: boolean
  repodata: boolean
}

export function hostSelection(flags: SelectionFlagValues): HostSelection & { mode: CrawlMode } {
  return {
    startId: flags.startid,
    stopId: flags.stopid,
    fraction: flags.fraction === undefined ? undefined : parseFraction(flags.fraction),
    categories: flags.category,
    continents: flags.continent,
    hosts: flags.host,
    includePrivate: flags['include-private'],
    includeDisabled: flags['include-disabled'],
    mode: flags.canary ? 'canary' : flags.repodata ? 'repodata' : 'full',
  }
}
