import { ConfigError } from '../errors.js'
import type { KeySpec } from './keys.js'

/** Where a value came from, for error messages that tell the user what to fix. */
export type ValueSource = 'flag' | 'environment' | 'file' | 'default'

function describe(spec: KeySpec, source: ValueSource): string {
  if (source === 'environment' && spec.env) return `${spec.env} (config key ${spec.key})`
  if (source === 'flag') return `the flag for ${spec.key}`
  return `config key ${spec.key}`
}

const TRUE = new Set(['1', 'true', 'yes', 'on'])
const FALSE = new Set(['0', 'false', 'no', 'off'])

/**
 * Turns a raw value (a string from the environment or a flag, or a TOML value) into the
 * key's type. Never falls back to the default: a bad value is an error naming the key.
 */
export function coerceValue(spec: KeySpec, raw: unknown, source: ValueSource): unknown {
  const where = describe(spec, source)
  const fail = (what: string): never => {
    throw new ConfigError(`${where}: ${what} (got ${JSON.stringify(raw)})`, { key: spec.key })
  }
  switch (spec.type) {
    case 'string':
    case 'path':
      if (typeof raw !== 'string') fail('expected a string')
      if (spec.type === 'path' && (raw as string).trim() === '') fail('expected a non-empty path')
      return raw
    case 'url': {
      if (typeof raw !== 'string') fail('expected a URL')
      let url: URL
      try {
        url = new URL(raw as string)
      } catch {
        return fail('not a valid URL')
      }
      const scheme = url.protocol.replace(/:$/, '')
      if (spec.schemes && !spec.schemes.includes(scheme)) fail(`the scheme must be one of ${spec.schemes.join(', ')}`)
      return raw
    }
    case 'integer':
    case 'number': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN
      if (!Number.isFinite(n)) fail('expected a number')
      if (spec.type === 'integer' && !Number.isInteger(n)) fail('expected a whole number')
      if (spec.min !== undefined && n < spec.min) fail(`must be at least ${spec.min}`)
      if (spec.max !== undefined && n > spec.max) fail(`must be at most ${spec.max}`)
      return n
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw
      const text = typeof raw === 'string' ? raw.trim().toLowerCase() : ''
      if (TRUE.has(text)) return true
      if (FALSE.has(text)) return false
      return fail('expected true or false')
    }
    case 'list':
      if (Array.isArray(raw) && raw.every((item) => typeof item === 'string')) return raw
      if (typeof raw === 'string') return raw.split(',').map((s) => s.trim()).filter(Boolean)
      return fail('expected a list of strings')
    case 'enum':
      if (typeof raw !== 'string' || !spec.values?.includes(raw)) fail(`must be one of ${spec.values?.join(', ')}`)
      return raw
  }
}
