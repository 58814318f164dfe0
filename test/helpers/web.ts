/**
 * serve-web in tests: the app over a test database (fastify inject, no socket), a tiny
 * cookie-keeping client that reads CSRF tokens from forms the way a browser submits
 * them, and the mails the app "sent".
 */
import type { FastifyInstance } from 'fastify'
import { buildWebApp } from '../../src/http/web/app.js'
import type { WebContext } from '../../src/http/web/context.js'
import { resolveConfig } from '../../src/lib/config/resolve.js'
import type { Sql } from '../../src/lib/db/sql.js'
import { silentLogger } from '../../src/lib/log.js'
import type { Message } from '../../src/lib/users/mail.js'
import { webSettingsFromConfig, type WebSettings } from '../../src/lib/users/web-settings.js'

export interface TestWeb {
  app: FastifyInstance
  context: WebContext
  mails: Message[]
}

export async function startTestWeb(sql: Sql, settings: Partial<WebSettings> = {}): Promise<TestWeb> {
  const mails: Message[] = []
  const base = webSettingsFromConfig(resolveConfig({ env: {}, configFile: '/dev/null' }), {})
  const context: WebContext = {
    sql,
    settings: { ...base, publicUrl: 'http://mm.test', ...settings },
    sendMail: async (message) => void mails.push(message),
    logger: silentLogger,
  }
  const { app } = await buildWebApp(context)
  await app.ready()
  return { app, context, mails }
}

export interface Answer {
  status: number
  body: string
  headers: Record<string, unknown>
  location?: string
}

export class Client {
  readonly cookies = new Map<string, string>()
  /** The last CSRF token seen in a form. */
  csrf = ''
  constructor(readonly app: FastifyInstance, readonly address = '127.0.0.1') {}

  #remember(headers: Record<string, unknown>): void {
    const set = headers['set-cookie']
    for (const line of Array.isArray(set) ? set : set ? [set] : []) {
      const [pair, ...attributes] = String(line).split(';')
      const [name, ...value] = pair.split('=')
      const expired = attributes.some((a) => /expires=Thu, 01 Jan 1970/i.test(a)) || value.join('=') === ''
      if (expired) this.cookies.delete(name.trim())
      else this.cookies.set(name.trim(), value.join('='))
    }
  }

  async #send(method: 'GET' | 'POST', url: string, form?: Record<string, string>): Promise<Answer> {
    const response = await this.app.inject({
      method,
      url,
      remoteAddress: this.address,
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      payload: form ? new URLSearchParams(form).toString() : undefined,
    })
    this.#remember(response.headers)
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body)
    if (token) this.csrf = token[1]
    return { status: response.statusCode, body: response.body, headers: response.headers, location: response.headers.location as string | undefined }
  }

  get(url: string) {
    return this.#send('GET', url)
  }

  /** A form POST with the CSRF token of the last page (`_csrf: ''` in `form` sends none). */
  post(url: string, form: Record<string, string> = {}) {
    return this.#send('POST', url, { _csrf: this.csrf, ...form })
  }

  /** Signs up, confirms through the mailed link, logs in. */
  async signUpAndLogIn(web: TestWeb, username: string, password = 'correct horse battery'): Promise<void> {
    await this.get('/user/new')
    await this.post('/user/new', { user_name: username, email_address: `${username}@example.org`, password, confirm_password: password })
    const mail = web.mails.findLast((m) => m.to === `${username}@example.org`)
    const link = /http:\/\/mm\.test(\/confirm\/\S+)/.exec(mail?.text ?? '')
    if (!link) throw new Error(`no confirmation mail for ${username}`)
    await this.get(link[1])
    await this.logIn(username, password)
  }

  async logIn(username: string, password: string): Promise<Answer> {
    await this.get('/login')
    return this.post('/login', { username, password })
  }
}
