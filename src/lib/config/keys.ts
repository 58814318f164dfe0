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
    key: 'snapshot.file',
    env: 'MM_SNAPSHOT_FILE',
    type: 'path',
    default: '/var/lib/mirrormanager/mirrorlist.avro',
    description: 'The mirrorlist snapshot: written by generate-snapshot (previous one kept as <file>.old), read by serve-mirrorlist.',
  },
  {
    key: 'log.level',
    env: 'MM_LOG_LEVEL',
    type: 'enum',
    values: ['error', 'warn', 'info', 'debug'],
    default: 'info',
    description: 'How much is logged to stderr.',
  },
] as const satisfies readonly KeySpec[]

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
