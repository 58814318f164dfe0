/**
 * One mirrorlist/metalink request in, one answer out: routing, query parsing, target
 * resolution, selection and rendering. Pure like the selection: the HTTP layer passes
 * the client address, the lookups (GeoIP, ASN, continents), the clock and the random
 * source in LookupContext, and writes the Answer out unchanged.
 */
import type { ParsedIp } from '../netblocks/ip.js'
import type { MirrorIndex } from './index/index-types.js'
import { parseCommaList, parseQuery, type MirrorlistQuery } from './query.js'
import { resolvePath, resolveRepository, type ResolvedTarget, type TargetFailure } from './resolve-target.js'
import { clientAddressOf, selectMirrors, type ClientAddress, type Selection } from './select.js'
import { METALINK_CONTENT_TYPE, metalinkBlocks, metalinkFailure, renderMetalink } from './render-metalink.js'
import { redirectHeaders, redirectTarget, renderEveryUrl, renderMirrorlist } from './render-mirrorlist.js'
import { METALINK4_CONTENT_TYPE, metalink4Failure, renderMetalink4 } from './render-metalink4.js'
import { JSON_CONTENT_TYPE, renderJson } from './render-json.js'
import { renderExplanation } from './render-explanation.js'
import type { Allocate, Body } from './body.js'
import { hostLinesOf } from './host-lines.js'

export interface MirrorlistRequest {
  /** URL path only, e.g. "/metalink", "/mm/mirrorlist", "/favicon.ico" */
  path: string
  /** raw query string without the leading "?" (may be "", may be hostile) */
  query: string
  /** the client address the HTTP layer chose: socket peer, or the LAST element of
   *  X-Forwarded-For when the server trusts a proxy. `ip=` in the query overrides it
   *  inside answerRequest (as in MirrorManager2). May be an IPv4-mapped IPv6 address. */
  clientIp: string
  /** the Accept header, if any: `application/metalink4+xml` on /metalink asks for Metalink 4 */
  accept?: string
}

export interface LookupContext {
  /** GeoIP country (upper-case ISO code) of the client's address, or undefined */
  countryOf(client: ClientAddress): string | undefined
  /** ASN from the global netblocks file (longest prefix), or undefined */
  asnOf(ip: ParsedIp): number | undefined
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
  /** server option mirrorlist.family_filter: false turns the address-family filter off (the reference's bytes); default on */
  familyFilter?: boolean
  /** where the metalink and mirror list bodies are written (body.ts Allocate); Buffer.allocUnsafe when absent */
  allocate?: Allocate
}

export interface Answer {
  status: number
  contentType: string
  /** text, or bytes pre-assembled from the snapshot (body.ts) */
  body: Body
  location?: string
  /** further response headers (Vary, RFC 6249 Link and Digest on redirects) */
  headers?: Record<string, string | string[]>
  /** set for repo+arch requests (access-log line: IP, DATE, COUNTRY, REPO, ARCH) */
  access?: { ip: string; country: string; repo: string; arch: string }
  endpoint: 'metalink' | 'metalink4' | 'mirrorlist' | 'other'
  /** 'netblock' | 'asn' | 'country' | 'continent' | 'global' | 'none' | 'error' */
  tier?: string
}

const TEXT = 'text/plain'
export const NOT_SERVED = "We don't serve their kind here!"
const MISSING_PARAMETERS = '# either path=, or repo= and arch= must be specified'
const BAD_CLIENT_IP = 'Cannot parse client IP address. Aborting.'

/** What the request path (and Accept) asks for. */
type Format = 'metalink' | 'metalink4' | 'mirrorlist'

/** /metalink answers depend on Accept (Metalink 3 or 4): caches must key on it. Shared, never mutated. */
const VARY_ACCEPT: Readonly<Record<string, string>> = Object.freeze({ Vary: 'Accept' })

function formatOf(request: MirrorlistRequest): Format | undefined {
  const path = request.path
  if (path.endsWith('/metalink')) return request.accept !== undefined && request.accept.includes(METALINK4_CONTENT_TYPE) ? 'metalink4' : 'metalink'
  if (path.endsWith('/mirrorlist')) return 'mirrorlist'
  if (path.endsWith('/metalink4')) return 'metalink4'
  return undefined
}

function failure(format: Format, status: number, message: string, now: Date, listing?: Buffer): Answer {
  if (format === 'metalink4') {
    const text = listing ? message + listing.toString() : message
    return { status, contentType: METALINK4_CONTENT_TYPE, body: metalink4Failure(now, text), endpoint: 'metalink4', tier: 'error', headers: VARY_ACCEPT }
  }
  const metalink = format === 'metalink'
  if (metalink) return { status, contentType: METALINK_CONTENT_TYPE, body: metalinkFailure(now, message, listing), endpoint: 'metalink', tier: 'error', headers: VARY_ACCEPT }
  const body = listing ? [Buffer.from(message), listing] : message
  return { status, contentType: TEXT, body, endpoint: 'mirrorlist', tier: 'error' }
}

function resolveTarget(index: MirrorIndex, parameters: MirrorlistQuery, metalink: boolean): ResolvedTarget | TargetFailure | undefined {
  const path = parameters.get('path')
  if (path !== undefined) return resolvePath(index, path)
  const repo = parameters.get('repo')
  const arch = parameters.get('arch')
  if (repo === undefined || arch === undefined) return undefined
  return resolveRepository(index, repo, arch, metalink)
}

function headerLine(index: MirrorIndex, target: ResolvedTarget, selection: Selection, parameters: MirrorlistQuery): string {
  let line = target.header + selection.headerItems.join('')
  if (parameters.has('time')) line += `\n# database creation time: ${index.createdAt}`
  return line
}

export function answerRequest(index: MirrorIndex, request: MirrorlistRequest, context: LookupContext): Answer {
  const format = formatOf(request)
  if (format === undefined) return { status: 404, contentType: TEXT, body: NOT_SERVED, endpoint: 'other' }
  const metalink = format !== 'mirrorlist'
  const parameters = parseQuery(request.query)
  const target = resolveTarget(index, parameters, metalink)
  if (!target) return failure(format, 200, MISSING_PARAMETERS, context.now)
  if (!target.ok) return failure(format, target.status, target.message, context.now, target.listing)

  const client = clientAddressOf(parameters.get('ip') || request.clientIp)
  if (!client) return failure(format, 500, BAD_CLIENT_IP, context.now)
  const countryParameter = parameters.get('country') ?? parameters.get('cc')
  const protocol = parameters.get('protocol')
  const selection = selectMirrors(
    index,
    {
      directory: target.directory,
      file: target.file,
      pathIsDirectory: target.pathIsDirectory,
      client,
      requestedCountries: countryParameter ? parseCommaList(countryParameter) : [],
      useNetblocks: parameters.get('netblock') !== '0',
      protocol: protocol === undefined ? undefined : { raw: protocol, items: parseCommaList(protocol) },
      explain: context.explain === true && parameters.get('explain') === '1',
      familyFilter: context.familyFilter !== false,
    },
    context,
  )
  const answer = render(index, target, selection, parameters, format, context.now, context.allocate)
  answer.tier = answer.tier ?? selection.tier
  // fields named, no spread: a spread in a literal is a runtime call per request
  if (target.repo) answer.access = { ip: client.text, country: selection.clientCountry, repo: target.repo.repo, arch: target.repo.arch }
  return answer
}

function render(
  index: MirrorIndex,
  target: ResolvedTarget,
  selection: Selection,
  parameters: MirrorlistQuery,
  format: Format,
  now: Date,
  allocate: Allocate | undefined,
): Answer {
  const header = headerLine(index, target, selection, parameters)
  if (selection.explanation) {
    return { status: 200, contentType: TEXT, body: renderExplanation(header, selection), endpoint: format }
  }
  if (format !== 'mirrorlist') {
    const file = target.directory.files.get(target.file)
    if (!file) return failure(format, 404, `${target.directory.name}/${target.file} not found or has not metalink`, now)
    if (format === 'metalink4') {
      const body = renderMetalink4(now, target.file, file, selection.mirrors, selection.urlSuffix)
      return { status: 200, contentType: METALINK4_CONTENT_TYPE, body, endpoint: 'metalink4', headers: VARY_ACCEPT }
    }
    const lines = hostLinesOf(index).target('metalink', target.directory, selection.urlSuffix, selection.urlFamily)
    const blocks = metalinkBlocks(selection.hostOrder, () => selection.mirrors, lines, parameters.has('protocol'))
    return { status: 200, contentType: METALINK_CONTENT_TYPE, body: renderMetalink(now, file, blocks, allocate), endpoint: 'metalink', headers: VARY_ACCEPT }
  }
  if (parameters.has('redirect')) {
    const location = redirectTarget(selection.mirrors, selection.urlSuffix)
    if (location === undefined) return { status: 404, contentType: TEXT, body: '', endpoint: 'mirrorlist' }
    const details = target.file === '' ? undefined : target.directory.files.get(target.file)?.details[0]
    return { status: 302, contentType: TEXT, body: '', location, endpoint: 'mirrorlist', headers: redirectHeaders(selection.mirrors, selection.urlSuffix, location, details) }
  }
  if (parameters.get('format') === 'json') {
    return { status: 200, contentType: JSON_CONTENT_TYPE, body: renderJson(index.createdAt, header, selection, parameters.has('protocol')), endpoint: 'mirrorlist' }
  }
  const plain = parameters.has('protocol') ? undefined : renderMirrorlist(header, selection.hostOrder, hostLinesOf(index).target('plain', target.directory, selection.urlSuffix, selection.urlFamily), allocate)
  const body = plain ?? renderEveryUrl(header, selection.mirrors, selection.urlSuffix)
  return { status: 200, contentType: TEXT, body, endpoint: 'mirrorlist' }
}
