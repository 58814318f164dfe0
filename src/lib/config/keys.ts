import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * Every scalar configuration key, with its environment variable, default and meaning.
 * `resolveConfig` (resolve.ts) applies them; `renderSampleConfig` (sample.ts) writes the
 * shipped sample file from this table, so the sample and the code cannot drift apart.
 *
 * Structured sections (umdl sources, prefix rules) are read raw from the file by the
 * domain that owns them; see `ResolvedConfig.section`.
 */
export type KeyType = 'string' | 'path' | 'integer' | 'number' | 'boolean' | 'list' | 'enum' | 'url'

export interface KeySpec {
  /** `section.name`, as written in the TOML file. */
  readonly key: string
  readonly env?: string
  readonly type: KeyType
  readonly default: string | number | boolean | readonly string[] | undefined
  readonly description: string
  readonly min?: number
  readonly max?: number
  readonly values?: readonly string[]
  /** For `url`: the accepted schemes. */
  readonly schemes?: readonly string[]
}

/** Where the embedded database lives when nobody says otherwise. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  // A system service (systemd sets INVOCATION_ID) or root: the FHS place for state.
  if (env.INVOCATION_ID || process.getuid?.() === 0) return '/var/lib/mirrormanager'
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share')
  return join(base, 'mirrormanager')
}

export const DEFAULT_CONFIG_FILE = '/etc/mirrormanager/mirrormanager.toml'

export const configKeys = [
  {
    key: 'database.url',
    env: 'DATABASE_URL',
    type: 'url',
    schemes: ['postgres', 'postgresql'],
    default: undefined,
    description: 'PostgreSQL server to use (postgres://user:pass@host/db). Unset: the embedded database in database.data_dir.',
  },
  {
    key: 'database.data_dir',
    env: 'MM_DATA_DIR',
    type: 'path',
    default: undefined,
    description: 'Data directory of the embedded database. Default: /var/lib/mirrormanager for root and system services, else $XDG_DATA_HOME/mirrormanager.',
  },
  {
    key: 'database.wait',
    env: 'MM_DB_WAIT',
    type: 'boolean',
    default: false,
    description: 'When the embedded data directory is in use by another process, wait for it instead of failing.',
  },
  {
    key: 'database.wait_timeout',
    env: 'MM_DB_WAIT_TIMEOUT',
    type: 'integer',
    min: 1,
    max: 86400,
    default: 600,
    description: 'Seconds to wait for the embedded data directory (with database.wait) before giving up.',
  },
  {
    key: 'database.pool_max',
    env: 'MM_DB_POOL_MAX',
    type: 'integer',
    min: 1,
    max: 200,
    default: 10,
    description: 'Connections to a PostgreSQL server at most (the embedded database always uses one).',
  },
  {
    key: 'database.connect_timeout',
    env: 'MM_DB_CONNECT_TIMEOUT',
    type: 'integer',
    min: 1,
    max: 600,
    default: 10,
    description: 'Seconds to wait for a PostgreSQL server connection.',
  },
  {
    key: 'umdl.file_detail_days',
    env: 'MM_UMDL_FILE_DETAIL_DAYS',
    type: 'integer',
    min: 1,
    max: 365,
    default: 4,
    description: 'umdl: days old file details (metalink alternates) are kept; the previous one goes once the newest is this many days minus one old.',
  },
  {
    key: 'umdl.short_list_threshold',
    env: 'MM_UMDL_SHORT_LIST_THRESHOLD',
    type: 'integer',
    min: 1,
    max: 1000000,
    default: 10,
    description: 'umdl: a directory with more files than this of one kind (.rpm .drpm .hdr .html) stores only the 3 newest of that kind.',
  },
  {
    key: 'umdl.rsync_timeout',
    env: 'MM_UMDL_RSYNC_TIMEOUT',
    type: 'integer',
    min: 10,
    max: 86400,
    default: 1800,
    description: 'umdl: seconds an rsync listing of a category source may take before it is stopped and the category fails.',
  },
  {
    key: 'log.level',
    env: 'MM_LOG_LEVEL',
    type: 'enum',
    values: ['error', 'warn', 'info', 'debug'],
    default: 'info',
    description: 'How much is logged to stderr.',
  },
  {
    key: 'crawl.contact_url',
    env: 'MM_CRAWL_CONTACT_URL',
    type: 'url',
    schemes: ['http', 'https', 'mailto'],
    default: 'https://github.com/mirrormanager/mirrormanager',
    description: 'Contact URL sent in the crawler User-Agent, so a mirror operator knows whom to ask about our requests.',
  },
  {
    key: 'crawl.request_timeout',
    env: 'MM_CRAWL_REQUEST_TIMEOUT',
    type: 'number',
    min: 0.1,
    max: 3600,
    default: 30,
    description: 'Seconds a mirror may take to connect, to send response headers, or between two chunks of a body before the request counts as failed.',
  },
  {
    key: 'crawl.connections_per_host',
    env: 'MM_CRAWL_CONNECTIONS_PER_HOST',
    type: 'integer',
    min: 1,
    max: 8,
    default: 2,
    description: 'Connections the crawler opens to one mirror at most (further limited by the host\'s max_connections).',
  },
  {
    key: 'crawl.max_listing_bytes',
    env: 'MM_CRAWL_MAX_LISTING_BYTES',
    type: 'integer',
    min: 256,
    max: 4294967296,
    default: 268435456,
    description: 'Largest listing (fullfiletimelist, rsync or FTP listing) read from one mirror; a bigger one is abandoned and counts as unknown.',
  },
  {
    key: 'crawl.max_redirects',
    env: 'MM_CRAWL_MAX_REDIRECTS',
    type: 'integer',
    min: 0,
    max: 10,
    default: 3,
    description: 'Redirects followed for one request, only to the same host name; a loop, a longer chain or another host counts the file as not confirmed.',
  },
  {
    key: 'crawl.disable_after',
    env: 'MM_CRAWL_DISABLE_AFTER',
    type: 'integer',
    min: 0,
    max: 1000,
    default: 4,
    description: 'Consecutive failed crawls after which a host is disabled (user_active off, with a reason). 0 never disables.',
  },
  {
    key: 'crawl.log_keep',
    env: 'MM_CRAWL_LOG_KEEP',
    type: 'integer',
    min: 1,
    max: 10000,
    default: 30,
    description: 'Crawl log entries kept per host (`mirrormanager host crawl-log`).',
  },
  {
    key: 'crawl.sample_size',
    env: 'MM_CRAWL_SAMPLE_SIZE',
    type: 'integer',
    min: 0,
    max: 10000,
    default: 10,
    description: 'After a fullfiletimelist comparison, files checked directly by HEAD besides every repomd.xml (fetched and hashed).',
  },
] as const satisfies readonly KeySpec[]

/**
 * Structured (non-scalar) entries inside sections that also hold scalar keys: validated
 * by their domain through `config.section()`, not by resolveConfig.
 */
export const structuredConfigKeys: readonly string[] = ['umdl.category', 'umdl.prefix_rule']

export type ConfigKey = (typeof configKeys)[number]['key']

type SpecOf<K extends ConfigKey> = Extract<(typeof configKeys)[number], { key: K }>
type ValueOfType<T> = T extends 'integer' | 'number'
  ? number
  : T extends 'boolean'
    ? boolean
    : T extends 'list'
      ? string[]
      : string
/** The value type a key resolves to; keys without a default may be undefined. */
export type ConfigValue<K extends ConfigKey> = SpecOf<K>['default'] extends undefined
  ? ValueOfType<SpecOf<K>['type']> | undefined
  : ValueOfType<SpecOf<K>['type']>
