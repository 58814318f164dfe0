import { readFileSync } from 'node:fs'
import { ConfigError } from '../errors.js'
import type { Logger } from '../log.js'
import { buildDirTree } from './dirtree.js'
import { parseIni, type IniFile } from './ini.js'
import { NON_CATEGORY_SECTIONS } from './payload.js'
import type { PythonJsonValue } from './python-json.js'

/**
 * report_mirror.conf, read as the existing Python client reads it, and the check-in
 * payload built from it with the same keys in the same order (version, global, site,
 * host, stats, then one lower-cased section per enabled category).
 */
export type Payload = { [section: string]: PythonJsonValue }

export type Transport = 'xmlrpc' | 'json'

export interface ReportMirrorConfig {
  readonly file: string
  readonly ini: IniFile
  /** [global] server. */
  readonly server: string
  /** [global] transport (our addition; the original client ignores unknown keys). */
  readonly transport?: Transport
}

const REQUIRED: Record<string, string[]> = {
  global: ['enabled', 'server'],
  site: ['enabled', 'name', 'password'],
  host: ['enabled', 'name'],
}
const OPTIONAL: Record<string, string[]> = { host: ['user_active'] }

export function readReportMirrorConfig(file: string): ReportMirrorConfig {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new ConfigError(`cannot read the configuration file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
  const ini = parseIni(text, file)
  for (const section of ['global', 'site', 'host']) {
    if (!ini.hasSection(section)) throw new ConfigError(`${file}: invalid configuration - missing section [${section}]`)
    for (const option of REQUIRED[section]) requireOption(ini, file, section, option)
    if (ini.get(section, 'enabled') !== '1') {
      throw new ConfigError(`${file}: [${section}] is disabled (enabled=${ini.get(section, 'enabled')}); nothing to report`, {
        key: `${section}.enabled`,
      })
    }
  }
  const transport = ini.get('global', 'transport')
  if (transport !== undefined && transport !== 'xmlrpc' && transport !== 'json') {
    throw new ConfigError(`${file}: [global] transport must be xmlrpc or json, not ${JSON.stringify(transport)}`, { key: 'global.transport' })
  }
  return { file, ini, server: ini.get('global', 'server')!, transport }
}

function requireOption(ini: IniFile, file: string, section: string, option: string): string {
  const value = ini.get(section, option)
  if (value === undefined) throw new ConfigError(`${file}: missing required option ${option} in config [${section}]`, { key: `${section}.${option}` })
  return value
}

/** A multi-line value becomes a list of its words, as the original's parse_value does. */
function parseValue(value: string): PythonJsonValue {
  return value.includes('\n') ? value.split(/\s+/).filter((word) => word !== '') : value
}

function sectionValues(config: ReportMirrorConfig, section: string, previous?: PythonJsonValue): Payload {
  const values: Payload = isPayload(previous) ? { ...previous } : {}
  for (const option of [...(REQUIRED[section] ?? []), ...(OPTIONAL[section] ?? [])]) {
    const value = config.ini.get(section, option)
    if (value !== undefined) values[option] = parseValue(value)
  }
  return values
}

function isPayload(value: unknown): value is Payload {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Category sections of the file, in file order, with their enabled state. */
export function categorySections(config: ReportMirrorConfig): { section: string; enabled: boolean }[] {
  return config.ini.sections
    .filter((section) => !NON_CATEGORY_SECTIONS.has(section))
    .map((section) => {
      const enabled = requireOption(config.ini, config.file, section, 'enabled')
      return { section, enabled: enabled === '1' }
    })
}

export interface BuildPayloadOptions {
  /** A payload read with `-i`: its directory trees are sent instead of walking the disk. */
  input?: Payload
  excludePatterns: readonly string[]
  logger: Logger
}

export function buildPayload(config: ReportMirrorConfig, options: BuildPayloadOptions): Payload {
  const base: Payload = options.input ?? { version: 0, global: {}, site: {}, host: {}, stats: {} }
  const payload: Payload = { ...base, version: 0 }
  for (const section of ['global', 'site', 'host']) payload[section] = sectionValues(config, section, base[section])
  for (const { section, enabled } of categorySections(config)) {
    const key = section.toLowerCase()
    if (!enabled) {
      // Disabled: send nothing for it, so the server keeps what it had.
      delete payload[key]
      continue
    }
    const path = requireOption(config.ini, config.file, section, 'path')
    const previous = base[key]
    const dirtree = options.input
      ? isPayload(previous) ? previous.dirtree : undefined
      : walkCategory(config, section, path, options)
    if (dirtree === undefined) {
      options.logger.warn(`[${section}] is not in the input file: not reported`)
      delete payload[key]
      continue
    }
    payload[key] = { enabled: parseValue(config.ini.get(section, 'enabled')!), dirtree }
  }
  return payload
}

function walkCategory(config: ReportMirrorConfig, section: string, path: string, options: BuildPayloadOptions) {
  try {
    return buildDirTree(path, options.excludePatterns, options.logger)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    throw new ConfigError(`${config.file}: [${section}] ${error.message}`, { key: `${section}.path` })
  }
}
