/**
 * Mail to account holders: through SMTP when `[web.mail]` names a host, else written to
 * the log (development and tests read the links from there).
 */
import nodemailer from 'nodemailer'
import type { Logger } from '../log.js'

export interface MailSettings {
  host?: string
  port: number
  secure: boolean
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

export function createMailer(settings: MailSettings, logger: Logger): SendMail {
  if (!settings.host) {
    return async (message) => {
      logger.info(`mail (no SMTP configured) to ${message.to}: ${message.subject}\n${message.text}`)
    }
  }
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    auth: settings.user ? { user: settings.user, pass: settings.password ?? '' } : undefined,
  })
  return async (message) => {
    await transport.sendMail({ from: settings.from, ...message })
    logger.info(`mail sent to ${message.to}: ${message.subject}`)
  }
}
