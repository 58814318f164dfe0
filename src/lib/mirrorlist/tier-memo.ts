/**
 * The country and continent tiers of a client country for one host set, remembered.
 *
 * Speed: for a client without netblock or ASN matches (nearly every dnf request) the
 * candidates depend only on the directory's host set and the client country; finding
 * them walks every country group of the set (~70) and filters by countries-allowed,
 * about half of the selection's work. The order inside the tiers stays random per
 * request: only the candidate lists are remembered, never an order.
 *
 * A memo of a pure function: answers are the same with or without it. One memo per
 * continent lookup function (a reload of --country-continent makes a new function, so
 * a new memo), keyed by the host set (a reloaded snapshot has new host sets); bounded
 * by clearing it when full.
 */
import type { HostGroups } from './index/index-types.js'

export interface CountryTiers {
  /** the client country's hosts, countries-allowed applied */
  readonly country: readonly number[]
  /** the other countries of its continent, countries-allowed applied */
  readonly continent: readonly number[]
  /** the `country = XX ` items, in order, joined (one string per memo entry, not per answer) */
  readonly header: string
  /** all public hosts, countries-allowed applied (computed when a global fill needs it) */
  global?: readonly number[]
}

/** Entries kept per memo before it starts over (~1 KB each at Fedora scale). */
export const TIER_MEMO_ENTRIES = 8192

export class TierMemo {
  private bySet = new WeakMap<HostGroups, Map<string, CountryTiers>>()
  private entries = 0

  constructor(private readonly limit = TIER_MEMO_ENTRIES) {}

  get(carriers: HostGroups, clientCountry: string, compute: () => CountryTiers): CountryTiers {
    let byCountry = this.bySet.get(carriers)
    let tiers = byCountry?.get(clientCountry)
    if (tiers) return tiers
    tiers = compute()
    if (this.entries >= this.limit) {
      this.bySet = new WeakMap()
      this.entries = 0
      byCountry = undefined
    }
    if (!byCountry) this.bySet.set(carriers, (byCountry = new Map()))
    byCountry.set(clientCountry, tiers)
    this.entries++
    return tiers
  }
}

const memos = new WeakMap<object, TierMemo>()

/** The memo for one continent lookup function. */
export function tierMemoFor(continentOf: object): TierMemo {
  let memo = memos.get(continentOf)
  if (!memo) memos.set(continentOf, (memo = new TierMemo()))
  return memo
}
