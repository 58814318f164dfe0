/**
 * `explain=1` (when the server enables it): for every host that carries the directory,
 * and every netblock/ASN match, why it was chosen (tier, position) or left out.
 * Built only on request, after the selection itself; never on the normal path.
 */
import type { IndexedHost, MirrorIndex } from './index/index-types.js'
import type { MirrorUrls } from './mirror-urls.js'
import type { SelectionRequest, Tier } from './selection-request.js'

export interface Explanation {
  hostId: number
  hostName: string
  country: string
  /** 1-based position in the answer, or undefined when left out */
  position?: number
  tier?: Tier
  reason: string
}

export interface ExplainInput {
  ordered: { tier: Tier; hosts: readonly number[] }[]
  mirrors: MirrorUrls[]
  clientCountry: string
  onlyCountry: boolean
  globalFill: boolean
  minimum: number
}

function exclusionReason(host: IndexedHost, request: SelectionRequest, input: ExplainInput): string {
  if (!host.public) return 'private host: reached only through its netblocks or ASN'
  if (host.countriesAllowed && !host.countriesAllowed.has(input.clientCountry)) {
    return `serves only clients in ${[...host.countriesAllowed].sort().join(',')}, client country is ${input.clientCountry}`
  }
  if (input.onlyCountry) return `not in the requested countries (${request.requestedCountries.join(',')})`
  if (!input.globalFill) return `not in the client's country or continent, and ${input.minimum} or more mirrors were found before the global fill`
  return `no URL left after protocol=${request.protocol?.raw ?? ''}`
}

export function explainSelection(index: MirrorIndex, request: SelectionRequest, input: ExplainInput): Explanation[] {
  const tierOf = new Map<number, Tier>()
  for (const tier of input.ordered) for (const hostIndex of tier.hosts) if (!tierOf.has(hostIndex)) tierOf.set(hostIndex, tier.tier)
  const positionOf = new Map<number, number>()
  input.mirrors.forEach((mirror, position) => positionOf.set(mirror.host.index, position + 1))
  const candidates = new Set<number>([...request.directory.carriers.hosts, ...tierOf.keys()])
  const explanation: Explanation[] = []
  for (const hostIndex of candidates) {
    const host = index.hosts[hostIndex]!
    const line: Explanation = { hostId: host.id, hostName: host.name, country: host.country, reason: '' }
    const position = positionOf.get(hostIndex)
    if (position !== undefined) {
      line.position = position
      line.tier = tierOf.get(hostIndex)
      line.reason = `chosen by ${line.tier}`
    } else {
      line.reason = tierOf.has(hostIndex) ? `no URL left after protocol=${request.protocol?.raw ?? ''}` : exclusionReason(host, request, input)
    }
    explanation.push(line)
  }
  return explanation.sort((a, b) => (a.position ?? Infinity) - (b.position ?? Infinity) || a.hostId - b.hostId)
}
