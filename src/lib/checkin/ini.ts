import { ConfigError } from '../errors.js'

/**
 * An INI file read the way Python's `configparser.ConfigParser()` (the defaults the
 * existing report_mirror client uses) reads it, so every report_mirror.conf in the field
 * means the same thing to us:
 *
 * - `[section]` headers; section names keep their case.
 * - `key = value` or `key: value` (the first `=` or `:` splits); keys are lower-cased,
 *   keys and values are stripped.
 * - Full-line comments start with `#` or `;` (also indented); there are no inline comments.
 * - A line indented deeper than its key continues the value (joined with a newline).
 * - `[DEFAULT]` values are visible in every section.
 * - Basic interpolation: `%(key)s` is the key's value in the same section, `%%` is `%`.
 * - A duplicate section or key, a key without a value, a key before any section: errors.
 */
export interface IniFile {
  /** Section names in file order, DEFAULT excluded. */
  readonly sections: readonly string[]
  hasSection(section: string): boolean
  /** Option names (lower-case) of a section, DEFAULT options included. */
  options(section: string): string[]
  get(section: string, option: string): string | undefined
}

const SECTION = /^\[(?<name>.+)\]\s*$/
const OPTION = /^(?<key>[^=:]+?)\s*[=:]\s*(?<value>.*)$/
const MAX_INTERPOLATION_DEPTH = 10

interface RawOption {
  value: string[]
  indent: number
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length
}

/** Parses the text of an INI file; `source` names it in error messages. */
export function parseIni(text: string, source: string): IniFile {
  const raw = new Map<string, Map<string, RawOption>>()
  let section: Map<string, RawOption> | undefined
  let last: RawOption | undefined
  const lines = text.split(/\r\n|\n|\r/)
  lines.forEach((line, index) => {
    const where = `${source}, line ${index + 1}`
    const stripped = line.trim()
    if (stripped.startsWith('#') || stripped.startsWith(';')) return
    if (stripped === '') {
      if (last) last.value.push('')
      return
    }
    const indent = indentOf(line)
    if (last && section && indent > last.indent) {
      last.value.push(stripped)
      return
    }
    const header = SECTION.exec(stripped)
    if (header && indent === 0) {
      const name = header.groups!.name
      if (raw.has(name)) throw new ConfigError(`${where}: section [${name}] appears twice`)
      section = new Map()
      raw.set(name, section)
      last = undefined
      return
    }
    if (!section) throw new ConfigError(`${where}: a key before any [section] header`)
    const option = OPTION.exec(stripped)
    if (!option) throw new ConfigError(`${where}: expected "key = value", got ${JSON.stringify(stripped)}`)
    const key = option.groups!.key.trim().toLowerCase()
    if (section.has(key)) throw new ConfigError(`${where}: key "${key}" appears twice in its section`)
    last = { value: [option.groups!.value.trim()], indent }
    section.set(key, last)
  })
  return buildIniFile(raw, source)
}

function buildIniFile(raw: Map<string, Map<string, RawOption>>, source: string): IniFile {
  // Trailing empty lines of a multi-line value are not part of it.
  const values = new Map<string, Map<string, string>>()
  for (const [name, options] of raw) {
    const section = new Map<string, string>()
    for (const [key, option] of options) {
      while (option.value.length > 1 && option.value.at(-1) === '') option.value.pop()
      section.set(key, option.value.join('\n'))
    }
    values.set(name, section)
  }
  const defaults = values.get('DEFAULT') ?? new Map<string, string>()
  const lookup = (section: string, option: string): string | undefined =>
    values.get(section)?.get(option) ?? defaults.get(option)

  return {
    sections: [...values.keys()].filter((name) => name !== 'DEFAULT'),
    hasSection: (section) => section !== 'DEFAULT' && values.has(section),
    options: (section) => [...new Set([...(values.get(section)?.keys() ?? []), ...defaults.keys()])],
    get(section, option) {
      const value = lookup(section, option.toLowerCase())
      return value === undefined ? undefined : interpolate(value, (key) => lookup(section, key), `${source} [${section}] ${option}`)
    },
  }
}

/** Python's BasicInterpolation: `%(key)s` and `%%`; anything else after `%` is an error. */
function interpolate(value: string, lookup: (key: string) => string | undefined, where: string, depth = 0): string {
  if (depth > MAX_INTERPOLATION_DEPTH) throw new ConfigError(`${where}: interpolation nested too deeply`)
  let out = ''
  for (let i = 0; i < value.length; i++) {
    const char = value[i]
    if (char !== '%') {
      out += char
      continue
    }
    const next = value[i + 1]
    if (next === '%') {
      out += '%'
      i++
      continue
    }
    const reference = /^\(([^)]+)\)s/.exec(value.slice(i + 1))
    if (next !== '(' || !reference) {
      throw new ConfigError(`${where}: "%" must be written "%%" (or "%(key)s"), as Python's configparser requires`)
    }
    const key = reference[1].toLowerCase()
    const target = lookup(key)
    if (target === undefined) throw new ConfigError(`${where}: "%(${key})s" names no key of the section`)
    out += interpolate(target, lookup, where, depth + 1)
    i += reference[0].length
  }
  return out
}
