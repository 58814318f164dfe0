import { CheckinRefusedError } from '../errors.js'

/**
 * A check-in payload, validated: what the server needs from the JSON object that
 * MirrorManager2's report_mirror client sends (README, "Private mirrors: report-mirror and
 * the check-in server").
 */
export interface CategoryReport {
  /** The section name as sent (lower-cased by the client). */
  readonly key: string
  /** Every reported directory, relative to the category top ("" for the top), unique. */
  readonly paths: readonly string[]
}

export interface CheckinPayload {
  readonly siteName: string
  readonly sitePassword: string
  readonly hostName: string
  /** `user_active` when the client sent it. */
  readonly userActive?: boolean
  readonly categories: readonly CategoryReport[]
}

/** Sections that are not categories. */
export const NON_CATEGORY_SECTIONS = new Set(['version', 'global', 'site', 'host', 'stats'])
const TRUTHY = new Set(['true', '1', 't', 'y', 'yes'])

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)

function refuse(reason: string): never {
  throw new CheckinRefusedError(`${reason}\nInvalid config file provided, please check your report_mirror.conf.`, {
    reason: 'malformed',
  })
}

function requireString(section: Json, name: string, option: string): string {
  const value = section[option]
  if (value === undefined) refuse(`config file [${name}] missing required option ${option}.`)
  if (typeof value !== 'string') refuse(`config file [${name}] option ${option} is not a string.`)
  return value as string
}

function requireSection(config: Json, name: string): Json {
  if (!(name in config)) refuse(`config file missing section ${name}.`)
  const section = config[name]
  if (!isObject(section)) refuse(`config file section [${name}] is not a dict.`)
  return section as Json
}

/** Validates the JSON value of a check-in; refusals carry the text the client is shown. */
export function validateCheckinPayload(config: unknown): CheckinPayload {
  if (!isObject(config)) refuse('config file is not a dict.\nPlease update your copy of report_mirror.')
  if (!('version' in config)) refuse('config file has no version field.')
  if (config.version !== 0) refuse(`config file version is not 0, is ${JSON.stringify(config.version)}.`)
  const global = requireSection(config, 'global')
  const site = requireSection(config, 'site')
  const host = requireSection(config, 'host')
  if (global.enabled !== '1') refuse('config file section [global] not enabled.')
  const userActive = host.user_active
  if (userActive !== undefined && typeof userActive !== 'string') refuse('config file [host] option user_active is not a string.')
  return {
    siteName: requireString(site, 'site', 'name'),
    sitePassword: requireString(site, 'site', 'password'),
    hostName: requireString(host, 'host', 'name'),
    userActive: userActive === undefined ? undefined : TRUTHY.has(userActive as string),
    categories: categoryReports(config),
  }
}

function categoryReports(config: Json): CategoryReport[] {
  const reports: CategoryReport[] = []
  for (const [key, section] of Object.entries(config)) {
    if (NON_CATEGORY_SECTIONS.has(key)) continue
    if (!isObject(section)) refuse(`config file section [${key}] is not a dict.`)
    // A section the operator disabled changes nothing (the original client sent those too).
    if (section.enabled !== undefined && section.enabled !== '1') continue
    if (!('dirtree' in section)) refuse(`section [${key}] missing required option dirtree.`)
    if (!isObject(section.dirtree)) refuse(`section [${key}] dirtree is not a dict.`)
    const paths = new Set<string>()
    for (const name of Object.keys(section.dirtree)) paths.add(normaliseDirectory(name))
    reports.push({ key, paths: [...paths] })
  }
  return reports
}

/** "releases/41/" and "/releases/41" are "releases/41"; the top is "". */
export function normaliseDirectory(name: string): string {
  return name.replace(/^\/+|\/+$/g, '')
}
