/**
 * Mail to account holders: through SMTP when `[web.mail]` names a host, else written to
 * the log (development and tests read the links from there).
 */
import { readFileSync } from 'node:fs'
import nodemailer from 'nodemailer'
import { ConfigError, MailNotSentError, ValidationError } from '../errors.js'
import type { Logger } from '../log.js'

/** STARTTLS on a plain connection: `auto` upgrades when the server offers it, `required` refuses to send without it. */
export type StartTls = 'auto' | 'required' | 'never'

export interface MailSettings {
  host?: string
  port: number
  secure: boolean
  starttls: StartTls
  /** PEM file of the CA the server's certificate is checked against (a private CA); else Node's public CAs. */
  caFile?: string
  user?: string
  password?: string
  from: string
}

export interface Message {
  to: string
  subject: string
  text: string
}

export type SendMail = (message: Message) => Promise<void>

/** A web request waits for the mail: give up on a silent server well before the browser does. */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 }

/** SMTP error codes (nodemailer's) that mean the server answered and said no. */
const REFUSALS = new Set(['EAUTH', 'EENVELOPE', 'EMESSAGE', 'ETLS', 'EPROTOCOL'])

/** Header values come partly from users (the address): a line break would start a header of their own. */
function requireOneLine(value: string, field: string): string {
  if (/[\r\n\0]/.test(value)) throw new ValidationError(`${field}: a mail header value must be one line`, { field })
  return value
}

function readCaFile(path: string): Buffer {
  let pem: Buffer
  try {
    pem = readFileSync(path)
  } catch (error) {
    throw new ConfigError(`web.mail.ca_file: cannot read ${path}: ${(error as Error).message}`, { key: 'web.mail.ca_file', cause: error })
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError(`web.mail.ca_file: ${path} holds no PEM certificate`, { key: 'web.mail.ca_file' })
  return pem
}

export function createMailer(settings: MailSettings, logger: Logger): SendMail {
  if (!settings.host) {
    return async (message) => {
      logger.info(`mail (no SMTP configured) to ${message.to}: ${message.subject}\n${message.text}`)
    }
  }
  const from = requireOneLine(settings.from, 'web.mail.from')
  const ca = settings.caFile === undefined ? undefined : readCaFile(settings.caFile)
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    requireTLS: settings.starttls === 'required',
    ignoreTLS: settings.starttls === 'never',
    auth: settings.user ? { user: settings.user, pass: settings.password ?? '' } : undefined,
    // the certificate is always verified; ca_file only says against which CA
    tls: ca ? { ca } : undefined,
    ...TIMEOUTS,
  })
  const server = `${settings.host}:${settings.port}`
  return async (message) => {
    const to = requireOneLine(message.to, 'to')
    const subject = requireOneLine(message.subject, 'subject')
    try {
      await transport.sendMail({ from, to, subject, text: message.text, disableFileAccess: true, disableUrlAccess: true })
    } catch (error) {
      const { code, response } = error as { code?: string; response?: string }
      const refused = Boolean(code && REFUSALS.has(code)) || Boolean(response)
      const reason = response ?? (error as Error).message
      throw new MailNotSentError(`mail to ${to} (${subject}) not sent: SMTP server ${server} ${refused ? 'refused' : 'unreachable'}: ${reason}`, { cause: error, refused })
    }
    logger.info(`mail sent to ${to}: ${subject}`)
  }
}
