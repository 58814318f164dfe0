import { ConfigError } from '../errors.js'
import { coerceValue } from './coerce.js'
import { configKeys, structuredConfigKeys, defaultDataDir, DEFAULT_CONFIG_FILE, type ConfigKey, type ConfigValue, type KeySpec } from './keys.js'
import { loadConfigFile, type ConfigTable } from './load-file.js'

export interface ConfigInputs {
  /** Values given on the command line, by config key (undefined = not given). */
  flags?: Partial<Record<ConfigKey, unknown>>
  /** `--config`; overrides MM_CONFIG. */
  configFile?: string
  env?: NodeJS.ProcessEnv
}

export interface ResolvedConfig {
  /** The file that was read, if any. */
  readonly file?: string
  get<K extends ConfigKey>(key: K): ConfigValue<K>
  /** A structured section of the file (e.g. `umdl`), for the domain that owns it to validate. */
  section(name: string): ConfigTable
}

const knownSections = new Set(configKeys.map((spec) => spec.key.split('.')[0]))

function lookup(table: ConfigTable, key: string): unknown {
  const [section, name] = key.split('.')
  const sub = table[section]
  if (sub === undefined) return undefined
  if (typeof sub !== 'object' || sub === null || Array.isArray(sub)) {
    throw new ConfigError(`config section [${section}] must be a table`, { key: section })
  }
  return (sub as ConfigTable)[name]
}

/** Edit distance between two short names (for "did you mean"). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]
}

/** The known name closest to a misspelled one, if it is close enough to be a typo. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase())
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance]
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined
}

/** Sections and keys written in the file that no KeySpec knows: a typo is an error, not ignored. */
function checkUnknownKeys(table: ConfigTable, file: string): void {
  const known = new Set<string>([...configKeys.map((spec) => spec.key), ...structuredConfigKeys])
  for (const [section, value] of Object.entries(table)) {
    if (!knownSections.has(section)) {
      const closest = closestName(section, [...knownSections])
      const hint = closest ? `; did you mean [${closest}]?` : ''
      const what = typeof value === 'object' && value !== null && !Array.isArray(value) ? `section [${section}]` : `top-level key ${section}`
      throw new ConfigError(`${file}: unknown config ${what}${hint} (known sections: ${[...knownSections].sort().join(', ')})`, { key: section })
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ConfigError(`${file}: config section [${section}] must be a table`, { key: section })
    }
    for (const name of Object.keys(value as ConfigTable)) {
      if (!known.has(`${section}.${name}`)) {
        throw new ConfigError(`${file}: unknown config key ${section}.${name}`, { key: `${section}.${name}` })
      }
    }
  }
}

/**
 * The one place where configuration precedence lives:
 * flags > environment (DATABASE_URL, MM_*) > config file (--config, MM_CONFIG) > defaults.
 * Every value is validated here, once; a bad value is an error naming its key.
 */
export function resolveConfig(inputs: ConfigInputs = {}): ResolvedConfig {
  const env = inputs.env ?? process.env
  const named = inputs.configFile ?? (env.MM_CONFIG || undefined)
  const path = named ?? DEFAULT_CONFIG_FILE
  const table = loadConfigFile(path, named !== undefined)
  const fileRead = Object.keys(table).length > 0 || named !== undefined ? path : undefined
  if (fileRead) checkUnknownKeys(table, path)

  const values = new Map<string, unknown>()
  for (const spec of configKeys as readonly KeySpec[]) {
    const flag = inputs.flags?.[spec.key as ConfigKey]
    const fromEnv = spec.env ? env[spec.env] : undefined
    const fromFile = lookup(table, spec.key)
    let value: unknown
    if (flag !== undefined) value = coerceValue(spec, flag, 'flag')
    else if (fromEnv !== undefined && fromEnv !== '') value = coerceValue(spec, fromEnv, 'environment')
    else if (fromFile !== undefined) value = coerceValue(spec, fromFile, 'file')
    else value = spec.default
    values.set(spec.key, value)
  }
  if (values.get('database.data_dir') === undefined) values.set('database.data_dir', defaultDataDir(env))

  return {
    file: fileRead,
    get: <K extends ConfigKey>(key: K) => values.get(key) as ConfigValue<K>,
    section(name: string): ConfigTable {
      const sub = table[name]
      if (sub === undefined) return {}
      if (typeof sub !== 'object' || sub === null || Array.isArray(sub)) {
        throw new ConfigError(`config section [${name}] must be a table`, { key: name })
      }
      return sub as ConfigTable
    },
  }
}
