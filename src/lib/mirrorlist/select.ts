/**
 * Choosing mirrors (MirrorManager2's rules, summed up below; README "Serving metalinks and
 * mirror lists"). PURE: the loaded index, the resolved request and a context of lookups
 * and a random source in, the ordered hosts and header items out. No database, clock,
 * configuration or logging.
 *
 * Tiers, each appending to the list: netblocks, ASN, requested countries (country=) or
 * else GeoIP country + same continent, then a global fill when fewer than `minimum`.
 * Inside a tier: netblocks most specific first (equal prefixes shuffled), ASN shuffled,
 * the others bandwidth-weighted. A host appears only at its first position.
 */
import type { ParsedIp } from '../netblocks/ip.js'
import { trimmedBitFor, wrongBitFor, type CountryNumbering, type IndexedDirectory, type IndexedHost, type MirrorIndex } from './index/index-types.js'
import { carries, hostsOfCountry } from './index/host-groups.js'
import { shuffleInPlace, weightedOrder } from './shuffle.js'
import { countAfterProtocolFilter, mirrorUrls, trimToProtocols, urlSuffix, type MirrorUrls } from './mirror-urls.js'
import { explainSelection, type Explanation } from './explain.js'
import type { ClientAddress, SelectionRequest, Tier } from './selection-request.js'
import { tierMemoFor, type CountryTiers } from './tier-memo.js'
import { echoable } from './echo.js'

export { clientAddressOf, type ClientAddress, type SelectionRequest, type Tier } from './selection-request.js'

export interface SelectionContext {
  countryOf(client: ClientAddress): string | undefined
  asnOf(ip: ParsedIp): number | undefined
  continentOf(country: string): string | undefined
  minimum: number
  random: () => number
}

export interface Selection {
  /** header items in order, each with its trailing space (`country = SE `; the remembered country and continent items come joined as one) */
  headerItems: string[]
  /** client country: netblock override, else GeoIP, else `N/A` */
  clientCountry: string
  /** the tier that found the first mirror, 'global' when only the fill did */
  tier: Tier | 'none'
  /**
   * Indexes (in MirrorIndex.hosts) of the selected hosts in answer order, each once, before
   * their URLs are looked up: hosts without a URL for the directory are still in it.
   * Without protocol=, `mirrors` is this list with the URLs (and without those hosts).
   */
  hostOrder: readonly number[]
  /**
   * Selected hosts in answer order with their URLs, after protocol= trimming. Made on first
   * read: the plain mirror list renders from `hostOrder` and never reads it.
   */
  readonly mirrors: MirrorUrls[]
  /** appended to every host URL: `/<subpath>/` or `/<subpath>/<file>` */
  urlSuffix: string
  /** per host of the directory: why chosen or left out (only with request.explain) */
  explanation?: Explanation[]
  /** the tiers in answer order with their (ordered) hosts: which tier chose a host (format=json) */
  tiers: readonly TierResult[]
  /** the family whose view of the URLs `mirrors` use (categories with family data, filter on); undefined: all URLs */
  urlFamily?: 4 | 6
  /** the client's family when the family filter left out at least one host or URL */
  familyFiltered?: 4 | 6
}

/**
 * What selectMirrors returns: `mirrors` is made on first read. A class, so that every
 * answer's selection has the same shape (a getter in an object literal gives each
 * object its own).
 */
class SelectionResult implements Selection {
  urlFamily?: 4 | 6
  familyFiltered?: 4 | 6
  explanation?: Explanation[]

  constructor(
    readonly headerItems: string[],
    readonly clientCountry: string,
    readonly tier: Tier | 'none',
    readonly hostOrder: readonly number[],
    readonly urlSuffix: string,
    readonly tiers: readonly TierResult[],
    private readonly source: { directory: IndexedDirectory; hosts: readonly IndexedHost[]; family: 4 | 6 | undefined },
    private made: MirrorUrls[] | undefined,
  ) {}

  get mirrors(): MirrorUrls[] {
    return (this.made ??= mirrorUrls(this.source.directory, this.source.hosts, this.hostOrder, this.source.family))
  }
}

export interface TierResult {
  tier: Tier
  hosts: readonly number[]
}

/** Hosts whose countries-allowed list (if any) admits the client country. */
function allowedFor(hostIndexes: Iterable<number>, index: MirrorIndex, clientCountry: string): number[] {
  const allowed: number[] = []
  for (const hostIndex of hostIndexes) {
    const countries = index.hosts[hostIndex]!.countriesAllowed
    if (!countries || countries.has(clientCountry)) allowed.push(hostIndex)
  }
  return allowed
}

/**
 * The hosts of `candidates` that carry the requested directory, in random order.
 * Speed: a loop, not Array.from(...).filter(...): Array.from of a typed array takes the
 * engine's generic iteration path, a few microseconds for a one-host ASN.
 */
function carryingShuffled(index: MirrorIndex, request: SelectionRequest, candidates: Int32Array, random: () => number): number[] {
  const carrying: number[] = []
  for (let i = 0; i < candidates.length; i++) {
    const hostIndex = candidates[i]!
    if (carries(request.directory.carriers, index.hosts[hostIndex]!)) carrying.push(hostIndex)
  }
  return shuffleInPlace(carrying, random)
}

function netblockTier(index: MirrorIndex, request: SelectionRequest, random: () => number): number[] {
  const found: number[] = []
  // most specific block first; hosts sharing one block (an equal prefix) in random order
  for (const match of index.hostNetblocks.lookupAll(request.client.ip)) {
    for (const hostIndex of carryingShuffled(index, request, match.value, random)) found.push(hostIndex)
  }
  return found
}

function asnTier(index: MirrorIndex, request: SelectionRequest, asn: number | undefined, random: () => number): number[] {
  const candidates = asn === undefined ? undefined : index.hostsByAsn.get(asn)
  return candidates ? carryingShuffled(index, request, candidates, random) : []
}

/** The continent of a country: the snapshot's redirect table first, then the context. */
function continentOf(index: MirrorIndex, context: SelectionContext, country: string): string | undefined {
  const upper = country.toUpperCase()
  return index.countryContinentRedirects.get(upper) ?? context.continentOf(upper)
}

/**
 * Continent of every country number of the index, for one continentOf function.
 * Speed: the same-continent tiers test every country a directory has (~70 per request);
 * the answers never change for a loaded index and a server's lookup, so they are
 * memoised per (numbering, function) — weakly, so a reloaded index or a new function
 * starts a new memo. A memo of a pure function does not make the selection impure.
 */
const continentMemo = new WeakMap<CountryNumbering, WeakMap<SelectionContext['continentOf'], (string | undefined)[]>>()

function continentsByNumber(index: MirrorIndex, context: SelectionContext, numbering: CountryNumbering): (string | undefined)[] {
  let byFunction = continentMemo.get(numbering)
  if (!byFunction) continentMemo.set(numbering, (byFunction = new WeakMap()))
  let continents = byFunction.get(context.continentOf)
  if (!continents) {
    continents = numbering.names.map((name) => continentOf(index, context, name))
    byFunction.set(context.continentOf, continents)
  }
  return continents
}

/**
 * Public hosts of the other countries on `country`'s continent; pushes a header item per
 * country that has some. `seenCountries` (several requested countries) skips the
 * countries an earlier call added.
 */
function sameContinent(
  index: MirrorIndex,
  context: SelectionContext,
  request: SelectionRequest,
  country: string,
  headerItems: string[],
  seenCountries?: Set<number>,
): number[] {
  const continent = continentOf(index, context, country)
  if (continent === undefined) return []
  const carriers = request.directory.carriers
  const continents = continentsByNumber(index, context, carriers.numbering)
  const own = carriers.numbering.numbers.get(country.toUpperCase())
  const found: number[] = []
  for (let group = 0; group < carriers.countries.length; group++) {
    const other = carriers.countries[group]!
    if (other === own || continents[other] !== continent) continue
    if (seenCountries) {
      if (seenCountries.has(other)) continue
      seenCountries.add(other)
    }
    for (let i = carriers.offsets[group]!; i < carriers.offsets[group + 1]!; i++) found.push(carriers.hosts[i]!)
    headerItems.push(`country = ${carriers.numbering.names[other]} `)
  }
  return found
}

function publicHosts(request: SelectionRequest): Int32Array {
  return request.directory.carriers.hosts.subarray(0, request.directory.carriers.publicCount)
}

/** Tier 4: country= (and `global`), with the continent fallback; restricted by countries allowed. */
function requestedCountryTiers(
  index: MirrorIndex,
  context: SelectionContext,
  request: SelectionRequest,
  clientCountry: string,
  headerItems: string[],
): { found: boolean; tiers: TierResult[] } {
  const requested: number[] = []
  for (const code of request.requestedCountries) {
    if (code.toUpperCase() === 'GLOBAL') {
      requested.push(...allowedFor(publicHosts(request), index, clientCountry))
      headerItems.push('country = global ')
      continue
    }
    const hosts = hostsOfCountry(request.directory.carriers, code.toUpperCase())
    if (hosts.length === 0) continue
    requested.push(...hosts)
    headerItems.push(`country = ${code} `)
  }
  const continent: number[] = []
  if (requested.length === 0) {
    const seen = new Set<number>()
    for (const code of request.requestedCountries) {
      continent.push(...sameContinent(index, context, request, code, headerItems, seen))
    }
  }
  return {
    // country= restricts the answer when it named hosts, even if countries allowed then removes them all
    found: requested.length > 0 || continent.length > 0,
    tiers: [
      { tier: 'country', hosts: allowedFor(new Set(requested), index, clientCountry) },
      { tier: 'continent', hosts: allowedFor(new Set(continent), index, clientCountry) },
    ],
  }
}

/** Tier 5: the client's (GeoIP) country, then the other countries of its continent (remembered per host set, tier-memo.ts). */
function clientCountryTiers(index: MirrorIndex, context: SelectionContext, request: SelectionRequest, clientCountry: string): CountryTiers {
  return tierMemoFor(context.continentOf).get(request.directory.carriers, clientCountry, () => {
    const headerItems: string[] = []
    const country = hostsOfCountry(request.directory.carriers, clientCountry)
    if (country.length > 0) headerItems.push(`country = ${clientCountry} `)
    const continent = sameContinent(index, context, request, clientCountry, headerItems)
    return { country: allowedFor(country, index, clientCountry), continent: allowedFor(continent, index, clientCountry), header: headerItems.join('') }
  })
}

/**
 * Speed: "seen" marks for uniqueHosts without a Set per call: one Uint32Array per loaded
 * index, stamped with a new generation number each call (reset when it wraps).
 */
const seenMarks = new WeakMap<readonly IndexedHost[], { marks: Uint32Array; generation: number }>()

function uniqueHosts(index: MirrorIndex, tiers: TierResult[]): number[] {
  let seen = seenMarks.get(index.hosts)
  if (!seen) seenMarks.set(index.hosts, (seen = { marks: new Uint32Array(index.hosts.length), generation: 0 }))
  if (++seen.generation === 0xffffffff) {
    seen.marks.fill(0)
    seen.generation = 1
  }
  const { marks, generation } = seen
  const hosts: number[] = []
  for (let t = 0; t < tiers.length; t++) {
    const tierHosts = tiers[t]!.hosts
    for (let h = 0; h < tierHosts.length; h++) {
      const hostIndex = tierHosts[h]!
      if (marks[hostIndex] === generation) continue
      marks[hostIndex] = generation
      hosts.push(hostIndex)
    }
  }
  return hosts
}

/**
 * The tiers without the hosts known-wrong for the client's family (`bits` has `wrongBit`
 * set); unchanged lists are kept as they are (memoised lists are never mutated). Returns
 * whether the family filter changed the answer: a host left out, or a host that stays
 * with some of its URLs left out (`bits` has its family's TRIMMED_FOR_* bit: an
 * IPv4-only rsync URL beside a dual-stack https one).
 * Speed: one pass OR-ing each host's bits decides both; a tier is copied only when a
 * host of it goes.
 */
function withoutWrongFamily(tiers: TierResult[], bits: Uint8Array, wrongBit: number, mask: number): boolean {
  let filtered = false
  for (let t = 0; t < tiers.length; t++) {
    const hosts = tiers[t]!.hosts
    let seen = 0
    for (let h = 0; h < hosts.length; h++) seen |= bits[hosts[h]!]!
    if (!(seen & mask)) continue
    filtered = true
    if (!(seen & wrongBit)) continue
    const kept: number[] = []
    for (let h = 0; h < hosts.length; h++) if (!(bits[hosts[h]!]! & wrongBit)) kept.push(hosts[h]!)
    tiers[t] = { tier: tiers[t]!.tier, hosts: kept }
  }
  return filtered
}

export function clientCountryOf(index: MirrorIndex, context: SelectionContext, client: ClientAddress): string {
  const override = index.netblockCountries.lookup(client.ip)
  if (override) return override.toUpperCase()
  return context.countryOf(client)?.toUpperCase() ?? 'N/A'
}

export function selectMirrors(index: MirrorIndex, request: SelectionRequest, context: SelectionContext): Selection {
  const headerItems: string[] = []
  const tiers: TierResult[] = []
  const random = context.random
  let matchedHosts = 0
  if (request.requestedCountries.length === 0 && request.useNetblocks) {
    const netblock = netblockTier(index, request, random)
    if (netblock.length > 0) headerItems.push('Using preferred netblock ')
    const asn = context.asnOf(request.client.ip)
    const byAsn = asnTier(index, request, asn, random)
    if (byAsn.length > 0) headerItems.push(`Using ASN ${asn} `)
    tiers.push({ tier: 'netblock', hosts: netblock }, { tier: 'asn', hosts: byAsn })
    matchedHosts = netblock.length + byAsn.length
  }
  const clientCountry = clientCountryOf(index, context, request.client)
  let onlyCountry = false
  if (request.requestedCountries.length > 0) {
    const requested = requestedCountryTiers(index, context, request, clientCountry, headerItems)
    // country= restricts the answer only when it found something; else GeoIP as usual
    onlyCountry = requested.found
    if (onlyCountry) tiers.push(...requested.tiers)
  }
  let byCountry: CountryTiers | undefined
  if (!onlyCountry) {
    byCountry = clientCountryTiers(index, context, request, clientCountry)
    if (byCountry.header !== '') headerItems.push(byCountry.header)
    tiers.push({ tier: 'country', hosts: byCountry.country }, { tier: 'continent', hosts: byCountry.continent })
  }
  const category = request.directory.category
  const family = request.client.ip.family
  const familyBit = wrongBitFor(family)
  const familyMask = familyBit | trimmedBitFor(family)
  // Speed: categories without a URL known-wrong for the client's family (and every v1
  // snapshot) skip the filter entirely: the same work and bytes as with the filter off
  const familyWrong = request.familyFilter !== false && category.familyBitsAny & familyMask ? category.familyWrong : undefined
  let familyFiltered = familyWrong !== undefined && withoutWrongFamily(tiers, familyWrong, familyBit, familyMask)
  // without netblock/ASN hosts or protocol=, the country and continent tiers are disjoint: no need to count
  const found =
    byCountry && !request.protocol && matchedHosts === 0
      ? tiers.reduce((sum, tier) => sum + tier.hosts.length, 0)
      : countAfterProtocolFilter(uniqueHosts(index, tiers), request.directory, request.protocol?.items, familyWrong && family)
  let globalFill = false
  if (found < context.minimum && byCountry) {
    globalFill = true
    byCountry.global ??= allowedFor(publicHosts(request), index, clientCountry)
    const global: TierResult[] = [{ tier: 'global', hosts: byCountry.global }]
    if (familyWrong && withoutWrongFamily(global, familyWrong, familyBit, familyMask)) familyFiltered = true
    tiers.push(global[0]!)
    headerItems.push('country = global ')
  }
  const ordered = tiers.map((tier): TierResult =>
    tier.tier === 'netblock' || tier.tier === 'asn' ? tier : { tier: tier.tier, hosts: weightedOrder(tier.hosts, index.hosts, random) },
  )
  const view = familyWrong ? family : undefined
  const hostOrder = uniqueHosts(index, ordered)
  const directory = request.directory
  let mirrors: MirrorUrls[] | undefined
  if (familyFiltered) headerItems.push(family === 6 ? 'ipv6 only ' : 'ipv4 only ')
  if (request.protocol) {
    mirrors = trimToProtocols(mirrorUrls(directory, index.hosts, hostOrder, view), request.protocol.items, request.protocol.items.length)
    // no trailing space after this item: the reference server's exact bytes
    headerItems.push(`protocol = ${echoable(request.protocol.raw)}`)
  }
  const firstTier = ordered.find((tier) => tier.hosts.length > 0)?.tier
  const selection = new SelectionResult(
    headerItems,
    clientCountry,
    firstTier ?? (globalFill ? 'global' : 'none'),
    hostOrder,
    urlSuffix(directory, request.file, request.pathIsDirectory),
    ordered,
    { directory, hosts: index.hosts, family: view },
    mirrors,
  )
  if (familyFiltered) selection.familyFiltered = family
  if (view) selection.urlFamily = view
  if (request.explain) {
    selection.explanation = explainSelection(index, request, {
      ordered,
      mirrors: selection.mirrors,
      clientCountry,
      onlyCountry,
      globalFill,
      minimum: context.minimum,
      familyWrong: familyWrong ? { bits: familyWrong, bit: familyBit, family } : undefined,
    })
  }
  return selection
}
