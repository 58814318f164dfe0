/**
 * The [umdl] part of the config file: which sources feed which category, and prefix
 * rule overrides.
 *
 *     [[umdl.category]]
 *     name = "Fedora Linux"
 *     type = "directory"            # or "rsync" (url) or "fullfiletimelist" (path)
 *     path = "/srv/pub/fedora/linux"
 *     excludes = ["^releases/test/"]
 *
 *     [[umdl.prefix_rule]]
 *     category = "Fedora Linux"
 *     pattern = "^releases/(\\d+)/Server/[^/]+/os$"
 *     prefix = "fedora-server-$1"
 *
 * A category named twice gets two sources (scanned one after the other, merged).
 */
import { isAbsolute } from 'node:path'
import type { ResolvedConfig } from '../config/resolve.js'
import { ConfigError } from '../errors.js'
import type { PrefixRule } from './prefix-rules.js'

export type SourceType = 'directory' | 'rsync' | 'fullfiletimelist'

export interface UmdlSource {
  type: SourceType
  /** directory: the category's top on disk; fullfiletimelist: the list file. */
  path?: string
  /** rsync: rsync://host/module/path/ of the category's top. */
  url?: string
  /** fullfiletimelist: the category's top inside the list (e.g. "linux"); default the list's top. */
  subdir?: string
  /** fullfiletimelist: the tree the list describes, for reading repomd.xml and checksum files; default the list's directory. */
  root?: string
  excludes: RegExp[]
}

export interface UmdlCategoryConfig {
  name: string
  sources: UmdlSource[]
}

export interface UmdlConfig {
  categories: UmdlCategoryConfig[]
  prefixRules: PrefixRule[]
  fileDetailDays: number
  shortListThreshold: number
  rsyncTimeoutSeconds: number
}

/** `.snapshot` (NetApp/NFS snapshots) and `.~tmp~` (rsync partial dirs) are never content. */
export const ALWAYS_EXCLUDED = [/(^|\/)\.snapshot(\/|$)/, /(^|\/)\.~tmp~(\/|$)/]

const SOURCE_KEYS = new Set(['name', 'type', 'path', 'url', 'subdir', 'root', 'excludes'])
const RULE_KEYS = new Set(['category', 'pattern', 'prefix'])

type Table = Record<string, unknown>

function fail(key: string, message: string): never {
  throw new ConfigError(`config key ${key}: ${message}`, { key })
}

function tablesAt(section: Table, name: string): Table[] {
  const value = section[name]
  if (value === undefined) return []
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'object' || entry === null || Array.isArray(entry))) {
    fail(`umdl.${name}`, `must be an array of tables ([[umdl.${name}]])`)
  }
  return value as Table[]
}

function stringAt(entry: Table, key: string, where: string, required: boolean): string | undefined {
  const value = entry[key]
  if (value === undefined) return required ? fail(`${where}.${key}`, 'is required') : undefined
  if (typeof value !== 'string' || value.trim() === '') fail(`${where}.${key}`, `must be a non-empty string (got ${JSON.stringify(value)})`)
  return value
}

function compileRegex(pattern: unknown, key: string): RegExp {
  if (typeof pattern !== 'string') fail(key, `must be a regular expression string (got ${JSON.stringify(pattern)})`)
  try {
    return new RegExp(pattern as string)
  } catch (error) {
    return fail(key, `is not a valid regular expression: ${(error as Error).message}`)
  }
}

function parseSource(entry: Table, where: string): UmdlSource {
  for (const key of Object.keys(entry)) if (!SOURCE_KEYS.has(key)) fail(`${where}.${key}`, 'unknown key')
  const type = stringAt(entry, 'type', where, true) as SourceType
  if (!['directory', 'rsync', 'fullfiletimelist'].includes(type)) fail(`${where}.type`, `must be "directory", "rsync" or "fullfiletimelist" (got "${type}")`)
  const excludesRaw = entry.excludes ?? []
  if (!Array.isArray(excludesRaw)) fail(`${where}.excludes`, 'must be an array of regular expressions')
  const excludes = (excludesRaw as unknown[]).map((pattern, i) => compileRegex(pattern, `${where}.excludes[${i}]`))
  const source: UmdlSource = { type, excludes }
  if (type === 'rsync') {
    source.url = stringAt(entry, 'url', where, true)
    if (!/^rsync:\/\/[^/]+\/.+/.test(source.url!) && !/^[^/]+::.+/.test(source.url!)) fail(`${where}.url`, `must be rsync://host/module/path (got "${source.url}")`)
    if (!source.url!.endsWith('/')) source.url += '/'
  } else {
    source.path = stringAt(entry, 'path', where, true)
    if (!isAbsolute(source.path!)) fail(`${where}.path`, `must be an absolute path (got "${source.path}")`)
  }
  if (type === 'fullfiletimelist') {
    source.subdir = stringAt(entry, 'subdir', where, false)?.replace(/^\/+|\/+$/g, '')
    source.root = stringAt(entry, 'root', where, false)
  } else {
    for (const key of ['subdir', 'root']) if (entry[key] !== undefined) fail(`${where}.${key}`, 'only for type = "fullfiletimelist"')
  }
  return source
}

function parseRule(entry: Table, where: string): PrefixRule {
  for (const key of Object.keys(entry)) if (!RULE_KEYS.has(key)) fail(`${where}.${key}`, 'unknown key')
  const category = stringAt(entry, 'category', where, true)!
  const pattern = stringAt(entry, 'pattern', where, true)!
  compileRegex(pattern, `${where}.pattern`)
  const prefix = entry.prefix
  if (typeof prefix !== 'string') fail(`${where}.prefix`, 'is required: a template like "fedora-$1", or "" for no prefix')
  return { category, pattern, prefix: prefix as string }
}

export function loadUmdlConfig(config: ResolvedConfig): UmdlConfig {
  const section = config.section('umdl')
  const categories = new Map<string, UmdlCategoryConfig>()
  tablesAt(section, 'category').forEach((entry, i) => {
    const where = `umdl.category[${i}]`
    const name = stringAt(entry, 'name', where, true)!
    const category = categories.get(name) ?? { name, sources: [] }
    category.sources.push(parseSource(entry, where))
    categories.set(name, category)
  })
  return {
    categories: [...categories.values()],
    prefixRules: tablesAt(section, 'prefix_rule').map((entry, i) => parseRule(entry, `umdl.prefix_rule[${i}]`)),
    fileDetailDays: config.get('umdl.file_detail_days'),
    shortListThreshold: config.get('umdl.short_list_threshold'),
    rsyncTimeoutSeconds: config.get('umdl.rsync_timeout'),
  }
}

/** A human one-liner for --list and logs. */
export function describeSource(source: UmdlSource): string {
  const where = source.type === 'rsync' ? source.url : source.path
  const extra = [source.subdir ? `subdir ${source.subdir}` : '', source.excludes.length ? `${source.excludes.length} exclude(s)` : ''].filter(Boolean)
  return `${source.type} ${where}${extra.length ? ` (${extra.join(', ')})` : ''}`
}
