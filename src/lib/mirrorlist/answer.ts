/**
 * One mirrorlist/metalink request in, one answer out: routing, query parsing, target
 * resolution, selection and rendering. Pure like the selection: the HTTP layer passes
 * the client address, the lookups (GeoIP, ASN, continents), the clock and the random
 * source in LookupContext, and writes the Answer out unchanged.
 */
import { formatIp, parseIp } from '../netblocks/ip.js'
import type { MirrorIndex } from './index/index-types.js'
import { parseCommaList, parseQuery } from './query.js'
import { resolvePath, resolveRepository, type ResolvedTarget, type TargetFailure } from './resolve-target.js'
import { selectMirrors, type Selection } from './select.js'
import { METALINK_CONTENT_TYPE, metalinkFailure, renderMetalink } from './render-metalink.js'
import { redirectTarget, renderMirrorlist } from './render-mirrorlist.js'
import { renderExplanation } from './render-explanation.js'
import type { Body } from './body.js'
import { hostLinesOf } from './host-lines.js'

export interface MirrorlistRequest {
  /** URL path only, e.g. "/metalink", "/mm/mirrorlist", "/favicon.ico" */
  path: string
  /** raw query string without the leading "?" (may be "", may be hostile) */
  query: string
  /** the client address the HTTP layer chose: socket peer, or the LAST element of
   *  X-Forwarded-For when the server trusts a proxy. `ip=` in the query overrides it
   *  inside answerRequest (per spec). May be an IPv4-mapped IPv6 address. */
  clientIp: string
}

export interface LookupContext {
  /** GeoIP country (upper-case ISO code) of an address, or undefined */
  countryOf(ip: string): string | undefined
  /** ASN from the global netblocks file (longest prefix), or undefined */
  asnOf(ip: string): number | undefined
  /** continent code of a country (built-in table src/lib/geo/countries.ts, optionally
   *  overridden by --country-continent FILE); the snapshot's country_continent_redirect
   *  table is applied by answerRequest itself, before calling this */
  continentOf(country: string): string | undefined
  /** server option --minimum (default 5) */
  minimum: number
  /** current time, for pubdate (pure: passed in) */
  now: Date
  /** random source in [0,1) */
  random: () => number
  /** when true and the query has explain=1, include per-host reasons */
  explain?: boolean
}

export interface Answer {
  status: number
  contentType: string
  /** text, or bytes pre-assembled from the snapshot (body.ts) */
  body: Body
  location?: string
  /** set for repo+arch requests (access-log line: IP, DATE, COUNTRY, REPO, ARCH) */
  access?: { ip: string; country: string; repo: string; arch: string }
  endpoint: 'metalink' | 'mirrorlist' | 'other'
  /** 'netblock' | 'asn' | 'country' | 'continent' | 'global' | 'none' | 'error' */
  tier?: string
}

const TEXT = 'text/plain'
export const NOT_SERVED = "We don't serve their kind here!"
const MISSING_PARAMETERS = '# either path=, or repo= and arch= must be specified'
const BAD_CLIENT_IP = 'Cannot parse client IP address. Aborting.'

function failure(metalink: boolean, status: number, message: string, now: Date, listing?: Buffer): Answer {
  if (metalink) return { status, contentType: METALINK_CONTENT_TYPE, body: metalinkFailure(now, message, listing), endpoint: 'metalink', tier: 'error' }
  const body = listing ? [Buffer.from(message), listing] : message
  return { status, contentType: TEXT, body, endpoint: 'mirrorlist', tier: 'error' }
}

function resolveTarget(index: MirrorIndex, parameters: Map<string, string>, metalink: boolean): ResolvedTarget | TargetFailure | undefined {
  const path = parameters.get('path')
  if (path !== undefined) return resolvePath(index, path)
  const repo = parameters.get('repo')
  const arch = parameters.get('arch')
  if (repo === undefined || arch === undefined) return undefined
  return resolveRepository(index, repo, arch, metalink)
}

function headerLine(index: MirrorIndex, target: ResolvedTarget, selection: Selection, parameters: Map<string, string>): string {
  let line = target.header + selection.headerItems.join('')
  if (parameters.has('time')) line += `\n# database creation time: ${index.createdAt}`
  return line
}

export function answerRequest(index: MirrorIndex, request: MirrorlistRequest, context: LookupContext): Answer {
  const metalink = request.path.endsWith('/metalink')
  if (!metalink && !request.path.endsWith('/mirrorlist')) {
    return { status: 404, contentType: TEXT, body: NOT_SERVED, endpoint: 'other' }
  }
  const endpoint = metalink ? 'metalink' : 'mirrorlist'
  const parameters = parseQuery(request.query)
  const target = resolveTarget(index, parameters, metalink)
  if (!target) return failure(metalink, 200, MISSING_PARAMETERS, context.now)
  if (!target.ok) return failure(metalink, target.status, target.message, context.now, target.listing)

  const ipText = parameters.get('ip') || request.clientIp
  const clientIp = parseIp(ipText)
  if (!clientIp) return failure(metalink, 500, BAD_CLIENT_IP, context.now)
  const countryParameter = parameters.get('country') ?? parameters.get('cc')
  const protocol = parameters.get('protocol')
  const selection = selectMirrors(
    index,
    {
      directory: target.directory,
      file: target.file,
      pathIsDirectory: target.pathIsDirectory,
      clientIp,
      requestedCountries: countryParameter ? parseCommaList(countryParameter) : [],
      useNetblocks: parameters.get('netblock') !== '0',
      protocol: protocol === undefined ? undefined : { raw: protocol, items: parseCommaList(protocol) },
      explain: context.explain === true && parameters.get('explain') === '1',
    },
    context,
  )
  const answer = render(index, target, selection, parameters, metalink, context.now)
  answer.tier = answer.tier ?? selection.tier
  // fields named, no spread: a spread in a literal is a runtime call per request
  if (target.repo) answer.access = { ip: formatIp(clientIp), country: selection.clientCountry, repo: target.repo.repo, arch: target.repo.arch }
  return answer
}

function render(
  index: MirrorIndex,
  target: ResolvedTarget,
  selection: Selection,
  parameters: Map<string, string>,
  metalink: boolean,
  now: Date,
): Answer {
  const header = headerLine(index, target, selection, parameters)
  if (selection.explanation) {
    return { status: 200, contentType: TEXT, body: renderExplanation(header, selection), endpoint: metalink ? 'metalink' : 'mirrorlist' }
  }
  if (metalink) {
    const file = target.directory.files.get(target.file)
    if (!file) return failure(true, 404, `${target.directory.name}/${target.file} not found or has not metalink`, now)
    const lines = hostLinesOf(index).target('metalink', target.directory, selection.urlSuffix)
    return { status: 200, contentType: METALINK_CONTENT_TYPE, body: renderMetalink(now, file, selection.mirrors, lines), endpoint: 'metalink' }
  }
  if (parameters.has('redirect')) {
    const location = redirectTarget(selection.mirrors, selection.urlSuffix)
    if (location === undefined) return { status: 404, contentType: TEXT, body: '', endpoint: 'mirrorlist' }
    return { status: 302, contentType: TEXT, body: '', location, endpoint: 'mirrorlist' }
  }
  const lines = hostLinesOf(index).target('plain', target.directory, selection.urlSuffix)
  const body = renderMirrorlist(header, selection.mirrors, lines, parameters.has('protocol'))
  return { status: 200, contentType: TEXT, body, endpoint: 'mirrorlist' }
}
