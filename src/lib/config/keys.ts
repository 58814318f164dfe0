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
    key: 'log.level',
    env: 'MM_LOG_LEVEL',
    type: 'enum',
    values: ['error', 'warn', 'info', 'debug'],
    default: 'info',
    description: 'How much is logged to stderr.',
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
    key: 'snapshot.file',
    env: 'MM_SNAPSHOT_FILE',
    type: 'path',
    default: '/var/lib/mirrormanager/mirrorlist.avro',
    description: 'The mirrorlist snapshot: written by generate-snapshot (previous one kept as <file>.old), read by serve-mirrorlist.',
  },
  {
    key: 'mirrorlist.listen',
    env: 'MM_MIRRORLIST_LISTEN',
    type: 'string',
    default: '127.0.0.1',
    description: 'Address serve-mirrorlist listens on (put a proxy such as haproxy or nginx in front).',
  },
  {
    key: 'mirrorlist.port',
    env: 'MM_MIRRORLIST_PORT',
    type: 'integer',
    min: 0,
    max: 65535,
    default: 3000,
    description: 'TCP port of serve-mirrorlist (0: any free port, printed at start).',
  },
  {
    key: 'mirrorlist.workers',
    env: 'MM_MIRRORLIST_WORKERS',
    type: 'integer',
    min: 1,
    max: 256,
    default: 2,
    description: 'HTTP worker processes of serve-mirrorlist; each holds its own copy of the snapshot.',
  },
  {
    key: 'mirrorlist.minimum',
    env: 'MM_MIRRORLIST_MINIMUM',
    type: 'integer',
    min: 1,
    max: 10000,
    default: 5,
    description: 'Fewer mirrors than this after the country and continent tiers: add the global list.',
  },
  {
    key: 'mirrorlist.geoip',
    env: 'MM_MIRRORLIST_GEOIP',
    type: 'path',
    default: undefined,
    description: 'GeoIP country database (.mmdb: MaxMind country.iso_code or flat country_code schema). Unset: the CC0 database of @ip-location-db/geo-whois-asn-country-mmdb installed with mirrormanager; "none": no GeoIP.',
  },
  {
    key: 'mirrorlist.global_netblocks',
    env: 'MM_MIRRORLIST_GLOBAL_NETBLOCKS',
    type: 'path',
    default: undefined,
    description: 'Global netblocks file ("<cidr> <asn>" lines) used for ASN matching. Unset: no ASN matching.',
  },
  {
    key: 'mirrorlist.country_continent',
    env: 'MM_MIRRORLIST_COUNTRY_CONTINENT',
    type: 'path',
    default: undefined,
    description: 'File of "<country> <continent>" lines overriding the built-in country-to-continent table.',
  },
  {
    key: 'mirrorlist.log',
    env: 'MM_MIRRORLIST_LOG',
    type: 'path',
    default: undefined,
    description: 'Access log (one statistics line per repo+arch request); reopened on SIGUSR1. Unset: no access log.',
  },
  {
    key: 'mirrorlist.trust_proxy',
    env: 'MM_MIRRORLIST_TRUST_PROXY',
    type: 'boolean',
    default: false,
    description: 'Take the client address from the last X-Forwarded-For element (only behind a proxy that sets it).',
  },
  {
    key: 'mirrorlist.watch',
    env: 'MM_MIRRORLIST_WATCH',
    type: 'boolean',
    default: false,
    description: 'Reload the snapshot when its file is replaced (as on SIGHUP).',
  },
  {
    key: 'mirrorlist.debug_selection',
    env: 'MM_MIRRORLIST_DEBUG_SELECTION',
    type: 'boolean',
    default: false,
    description: 'Allow explain=1 in requests: the answer then says why each host was chosen or excluded.',
  },
  {
    key: 'mirrorlist.family_filter',
    env: 'MM_MIRRORLIST_FAMILY_FILTER',
    type: 'boolean',
    default: true,
    description: 'Never send an IPv6 client to a host or URL the crawler found reachable only over IPv4, nor an IPv4 client to an IPv6-only one (false: the reference servers\' answers).',
  },
  {
    key: 'mirrorlist.max_snapshot_age',
    env: 'MM_MIRRORLIST_MAX_SNAPSHOT_AGE',
    type: 'integer',
    min: 0,
    max: 31536000,
    default: 0,
    description: 'Seconds: /healthz answers 503 "stale" when the served snapshot\'s data is older than this (answers go on). 0: no limit.',
  },
  {
    key: 'mirrorlist.snapshot_url',
    env: 'MM_MIRRORLIST_SNAPSHOT_URL',
    type: 'url',
    schemes: ['http', 'https'],
    default: undefined,
    description: 'Fetch the snapshot from this URL (a web server publishing what generate-snapshot writes): at start and every snapshot_poll_interval, conditionally; a new one is validated, installed as snapshot.file and reloaded. Unset: only the local file.',
  },
  {
    key: 'mirrorlist.snapshot_poll_interval',
    env: 'MM_MIRRORLIST_SNAPSHOT_POLL_INTERVAL',
    type: 'integer',
    min: 1,
    max: 86400,
    default: 60,
    description: 'Seconds between two fetches of snapshot_url, each randomly 20 % shorter or longer so that many servers do not poll in step.',
  },
  {
    key: 'mirrorlist.snapshot_max_bytes',
    env: 'MM_MIRRORLIST_SNAPSHOT_MAX_BYTES',
    type: 'integer',
    min: 1024,
    max: 17179869184,
    default: 1073741824,
    description: 'A snapshot fetched from snapshot_url larger than this many bytes is refused (the one in place keeps serving).',
  },
  {
    key: 'netblocks.global_sources',
    env: 'MM_NETBLOCKS_GLOBAL_SOURCES',
    type: 'list',
    default: ['http://ftp.routeviews.org/dnszones/rib.bz2', 'http://archive.routeviews.org/route-views6/bgpdata/{year}.{month}/RIBS/'],
    description: 'BGP table dumps (MRT; bz2, gz or plain; URLs or files) netblocks global reads when no --source is given. A URL ending in "/" is a listing: its newest rib.*.bz2. {year} {month} {day}: yesterday (UTC).',
  },
  {
    key: 'netblocks.internet2_sources',
    env: 'MM_NETBLOCKS_INTERNET2_SOURCES',
    type: 'list',
    default: ['ATLA', 'CHIC', 'HOUS', 'KANS', 'LOSA', 'NEWY', 'SALT', 'SEAT', 'WASH'].map((router) => `http://routes.net.internet2.edu/bgp/RIBS/${router}/{year}/{month}/{day}/`),
    description: 'Internet2 routers\' RIB dumps netblocks internet2 merges when no --source is given (same forms as netblocks.global_sources).',
  },
  {
    key: 'netblocks.exclude',
    env: 'MM_NETBLOCKS_EXCLUDE',
    type: 'list',
    default: ['0.0.0.0/0', '::/0', '2001::/32', '0.0.0.0/16', '10.0.0.0/16'],
    description: 'Prefixes never written to a netblocks table (exact match): default routes, Teredo (2001::/32, announced by many ASes) and the two Internet2 artefacts MirrorManager2 drops.',
  },
  {
    key: 'netblocks.max_shrink',
    env: 'MM_NETBLOCKS_MAX_SHRINK',
    type: 'number',
    min: 0,
    max: 1,
    default: 0.2,
    description: 'A regenerated netblocks table with fewer than (1 - this) x the old entries is refused and the old file kept (a truncated download must not blank it). 1: never refuse.',
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
  {
    key: 'checkin.listen',
    env: 'MM_CHECKIN_LISTEN',
    type: 'string',
    default: '127.0.0.1',
    description: 'Address serve-checkin listens on (put a TLS proxy in front of it).',
  },
  {
    key: 'checkin.port',
    env: 'MM_CHECKIN_PORT',
    type: 'integer',
    min: 0,
    max: 65535,
    default: 8081,
    description: 'TCP port of serve-checkin (0: any free port, logged at start).',
  },
  {
    key: 'checkin.private_only',
    env: 'MM_CHECKIN_PRIVATE_ONLY',
    type: 'boolean',
    default: true,
    description: 'Only private hosts (or hosts of private sites) may check in; public hosts are verified by the crawler.',
  },
  {
    key: 'checkin.max_body_bytes',
    env: 'MM_CHECKIN_MAX_BODY_BYTES',
    type: 'integer',
    min: 1024,
    max: 1073741824,
    default: 16777216,
    description: 'Largest check-in request body accepted (bytes); larger ones get HTTP 413.',
  },
  {
    key: 'checkin.max_payload_bytes',
    env: 'MM_CHECKIN_MAX_PAYLOAD_BYTES',
    type: 'integer',
    min: 1024,
    max: 1073741824,
    default: 67108864,
    description: 'Largest decompressed check-in payload (bytes); decompression stops there (bzip2/gzip bombs).',
  },
  {
    key: 'checkin.rate_limit_burst',
    env: 'MM_CHECKIN_RATE_LIMIT_BURST',
    type: 'integer',
    min: 1,
    max: 1000000,
    default: 10,
    description: 'Successful check-ins one site may make in a burst (token bucket size; counted after the password is verified).',
  },
  {
    key: 'checkin.rate_limit_per_hour',
    env: 'MM_CHECKIN_RATE_LIMIT_PER_HOUR',
    type: 'number',
    min: 0,
    max: 1000000,
    default: 30,
    description: 'Successful check-ins per hour one site may make in the long run (token bucket refill).',
  },
  {
    key: 'checkin.failure_limit_burst',
    env: 'MM_CHECKIN_FAILURE_LIMIT_BURST',
    type: 'integer',
    min: 1,
    max: 1000000,
    default: 10,
    description: 'Failed check-ins (bad password, unknown site or host, malformed data) one client address (IPv6: one /64) may make in a burst; then HTTP 429 before any work.',
  },
  {
    key: 'checkin.failure_limit_per_hour',
    env: 'MM_CHECKIN_FAILURE_LIMIT_PER_HOUR',
    type: 'number',
    min: 0,
    max: 1000000,
    default: 30,
    description: 'Failed check-ins per hour one client address may make in the long run (token bucket refill).',
  },
  {
    key: 'checkin.request_timeout',
    env: 'MM_CHECKIN_REQUEST_TIMEOUT',
    type: 'integer',
    min: 1,
    max: 3600,
    default: 120,
    description: 'Seconds a client may take to send a whole request (slow clients are cut off).',
  },
  {
    key: 'checkin.body_timeout',
    env: 'MM_CHECKIN_BODY_TIMEOUT',
    type: 'integer',
    min: 1,
    max: 3600,
    default: 30,
    description: 'Seconds a client may take to send a request body once its headers arrived; slower uploads get HTTP 408.',
  },
  {
    key: 'checkin.max_connections_per_address',
    env: 'MM_CHECKIN_MAX_CONNECTIONS_PER_ADDRESS',
    type: 'integer',
    min: 1,
    max: 10000,
    default: 4,
    description: 'Open connections (requests, under trust_proxy) one client address (IPv6: one /64) may have; more are refused.',
  },
  {
    key: 'checkin.trust_proxy',
    env: 'MM_CHECKIN_TRUST_PROXY',
    type: 'boolean',
    default: false,
    description: 'Take the client address from the last X-Forwarded-For element (only behind a proxy that sets it).',
  },
  {
    key: 'checkin.max_in_flight',
    env: 'MM_CHECKIN_MAX_IN_FLIGHT',
    type: 'integer',
    min: 1,
    max: 1000,
    default: 8,
    description: 'Check-ins processed at once (counted once the body has arrived); more get HTTP 503 with Retry-After.',
  },
  {
    key: 'web.listen',
    env: 'MM_WEB_LISTEN',
    type: 'string',
    default: '127.0.0.1',
    description: 'Address serve-web listens on (put a TLS proxy in front of it).',
  },
  {
    key: 'web.port',
    env: 'MM_WEB_PORT',
    type: 'integer',
    min: 0,
    max: 65535,
    default: 8082,
    description: 'TCP port of serve-web (0: any free port, printed at start).',
  },
  {
    key: 'web.workers',
    env: 'MM_WEB_WORKERS',
    type: 'integer',
    min: 1,
    max: 256,
    default: 1,
    description: 'HTTP worker processes of serve-web (more than one needs a PostgreSQL server).',
  },
  {
    key: 'web.trust_proxy',
    env: 'MM_WEB_TRUST_PROXY',
    type: 'boolean',
    default: false,
    description: 'Take the client address and scheme from X-Forwarded-For/-Proto (only behind a proxy that sets them); cookies are then Secure over https.',
  },
  {
    key: 'web.base_path',
    env: 'MM_WEB_BASE_PATH',
    type: 'string',
    default: '',
    description: 'Path prefix of every page, e.g. /mirrormanager (empty: served at the root).',
  },
  {
    key: 'web.public_url',
    env: 'MM_WEB_PUBLIC_URL',
    type: 'string',
    default: undefined,
    description: 'The address people reach serve-web at, used in mailed links and the OIDC redirect (e.g. https://admin.example.org/mirrormanager). Unset: http://<listen>:<port><base_path>.',
  },
  {
    key: 'web.session_hours',
    env: 'MM_WEB_SESSION_HOURS',
    type: 'number',
    min: 0.01,
    max: 720,
    default: 8,
    description: 'Hours a sign-in lasts.',
  },
  {
    key: 'web.admin_group',
    env: 'MM_WEB_ADMIN_GROUP',
    type: 'list',
    default: ['sysadmin-main'],
    description: 'Groups (from the OIDC groups claim) whose members are mirror admins: they see and change every site. Users flagged with `user admin` are admins too.',
  },
  {
    key: 'web.login_attempts_per_minute',
    env: 'MM_WEB_LOGIN_ATTEMPTS_PER_MINUTE',
    type: 'integer',
    min: 1,
    max: 10000,
    default: 10,
    description: 'Sign-in, sign-up and password-reset requests one client address may make per minute; more get HTTP 429.',
  },
] as const satisfies readonly KeySpec[]

/**
 * Structured (non-scalar) entries inside sections that also hold scalar keys: validated
 * by their domain through `config.section()`, not by resolveConfig.
 */
export const structuredConfigKeys: readonly string[] = ['umdl.category', 'umdl.prefix_rule', 'web.mail', 'web.oidc']

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
