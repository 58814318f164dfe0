/**
 * serve-web's settings: the [web] keys (resolveConfig validates those) and the [web.mail]
 * and [web.oidc] tables, validated here, once, naming the offending key.
 */
import type { ResolvedConfig } from '../config/resolve.js'
import { ConfigError } from '../errors.js'
import type { MailSettings } from './mail.js'

export interface OidcSettings {
  issuer: string
  clientId: string
  clientSecret: string
  /** The claim that names the user (MirrorManager2 read `nickname`). */
  usernameClaim: string
  groupsClaim: string
  scopes: string
}

export interface WebSettings {
  listen: string
  port: number
  workers: number
  trustProxy: boolean
  basePath: string
  /** web.public_url, else http://<listen>:<port><base_path> (with the real port once listening). */
  publicUrl: string
  publicUrlConfigured: boolean
  sessionSeconds: number
  adminGroups: string[]
  loginAttemptsPerMinute: number
  mail: MailSettings
  oidc?: OidcSettings
}

type Table = Record<string, unknown>

function text(table: Table, section: string, key: string, fallback?: string): string | undefined {
  const value = table[key]
  if (value === undefined) return fallback
  if (typeof value !== 'string') throw new ConfigError(`${section}.${key} must be a string`, { key: `${section}.${key}` })
  return value
}

function checkKeys(table: Table, section: string, known: string[]): void {
  for (const key of Object.keys(table)) {
    if (!known.includes(key)) throw new ConfigError(`unknown config key ${section}.${key}`, { key: `${section}.${key}` })
  }
}

function subTable(web: Table, name: string): Table {
  const value = web[name]
  if (value === undefined) return {}
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`config section [web.${name}] must be a table`, { key: `web.${name}` })
  return value as Table
}

export function normalizeBasePath(input: string): string {
  const path = input.trim().replace(/\/+$/, '')
  if (path && !/^(\/[A-Za-z0-9._~-]+)+$/.test(path)) {
    throw new ConfigError(`web.base_path: "${input}" must be empty or a path like /mirrormanager`, { key: 'web.base_path' })
  }
  return path
}

function mailSettings(table: Table, env: NodeJS.ProcessEnv): MailSettings {
  checkKeys(table, 'web.mail', ['host', 'port', 'secure', 'starttls', 'ca_file', 'user', 'password', 'from'])
  const port = table.port ?? 587
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError('web.mail.port must be a TCP port', { key: 'web.mail.port' })
  const secure = table.secure ?? port === 465
  if (typeof secure !== 'boolean') throw new ConfigError('web.mail.secure must be true or false', { key: 'web.mail.secure' })
  const starttls = table.starttls ?? 'auto'
  if (starttls !== 'auto' && starttls !== 'required' && starttls !== 'never') {
    throw new ConfigError('web.mail.starttls must be "auto", "required" or "never"', { key: 'web.mail.starttls' })
  }
  return {
    host: text(table, 'web.mail', 'host') || undefined,
    port,
    secure,
    starttls,
    caFile: text(table, 'web.mail', 'ca_file') || undefined,
    user: text(table, 'web.mail', 'user'),
    password: env.MM_WEB_MAIL_PASSWORD || text(table, 'web.mail', 'password'),
    from: text(table, 'web.mail', 'from', 'mirrormanager@localhost')!,
  }
}

function oidcSettings(table: Table, env: NodeJS.ProcessEnv): OidcSettings | undefined {
  checkKeys(table, 'web.oidc', ['issuer', 'client_id', 'client_secret', 'username_claim', 'groups_claim', 'scopes'])
  const issuer = text(table, 'web.oidc', 'issuer')
  if (!issuer) return undefined
  if (!/^https?:\/\/[^/]/.test(issuer)) throw new ConfigError(`web.oidc.issuer: "${issuer}" is not an http(s) URL`, { key: 'web.oidc.issuer' })
  const clientId = text(table, 'web.oidc', 'client_id')
  if (!clientId) throw new ConfigError('web.oidc.client_id is needed with web.oidc.issuer', { key: 'web.oidc.client_id' })
  return {
    issuer,
    clientId,
    clientSecret: env.MM_WEB_OIDC_CLIENT_SECRET || text(table, 'web.oidc', 'client_secret', '')!,
    usernameClaim: text(table, 'web.oidc', 'username_claim', 'nickname')!,
    groupsClaim: text(table, 'web.oidc', 'groups_claim', 'groups')!,
    scopes: text(table, 'web.oidc', 'scopes', 'openid email profile')!,
  }
}

export function webSettingsFromConfig(config: ResolvedConfig, env: NodeJS.ProcessEnv = process.env): WebSettings {
  const web = config.section('web')
  const listen = config.get('web.listen')
  const port = config.get('web.port')
  const basePath = normalizeBasePath(config.get('web.base_path'))
  const host = listen.includes(':') ? `[${listen}]` : listen
  return {
    listen,
    port,
    workers: config.get('web.workers'),
    trustProxy: config.get('web.trust_proxy'),
    basePath,
    publicUrl: (config.get('web.public_url') ?? `http://${host}:${port}${basePath}`).replace(/\/+$/, ''),
    publicUrlConfigured: config.get('web.public_url') !== undefined,
    sessionSeconds: Math.round(config.get('web.session_hours') * 3600),
    adminGroups: config.get('web.admin_group'),
    loginAttemptsPerMinute: config.get('web.login_attempts_per_minute'),
    mail: mailSettings(subTable(web, 'mail'), env),
    oidc: oidcSettings(subTable(web, 'oidc'), env),
  }
}

export const WEB_SAMPLE_SECTIONS = `# serve-web mail: without a host, mails (sign-up confirmation, password reset) are written to the log.
[web.mail]
#host = "smtp.example.org"
#port = 587
#secure = false          # true: TLS from the start (port 465)
#starttls = "auto"       # on a plain connection: "auto" upgrades when offered, "required" refuses to send without it, "never"
#ca_file = ""            # PEM file of the CA that signed the SMTP server's certificate, if not a public one
#user = ""
#password = ""           # or $MM_WEB_MAIL_PASSWORD
#from = "mirrormanager@localhost"

# serve-web sign-in through OpenID Connect (Fedora's provider, Keycloak, ...): set issuer to enable.
# The redirect URI to register is <web.public_url>/oidc/callback.
[web.oidc]
#issuer = "https://id.example.org/openidc/"
#client_id = ""
#client_secret = ""      # or $MM_WEB_OIDC_CLIENT_SECRET
#username_claim = "nickname"
#groups_claim = "groups"
#scopes = "openid email profile"`
