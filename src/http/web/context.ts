/** What every route of serve-web gets: the database, the settings, mail, the log. */
import type {} from '@fastify/cookie'
import type { Sql } from '../../lib/db/sql.js'
import type { Logger } from '../../lib/log.js'
import type { Actor } from '../../lib/permissions/can.js'
import type { SendMail } from '../../lib/users/mail.js'
import type { Session } from '../../lib/users/sessions.js'
import type { WebSettings } from '../../lib/users/web-settings.js'
import type { WebMetrics, WebMetricsSnapshot } from './metrics.js'

export interface WebContext {
  sql: Sql
  settings: WebSettings
  sendMail: SendMail
  logger: Logger
  /** cluster worker id under --workers (0: serve-web alone) */
  worker?: number
  /** Under --workers: every worker's metrics for /metrics (cluster-metrics.ts); alone, only ours. */
  collectMetrics?: (local: WebMetrics) => () => Promise<WebMetricsSnapshot[]>
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user as permissions see them; undefined when nobody is signed in. */
    actor?: Actor
    webSession?: Session & { id: string }
    /** The CSRF token forms of this response carry. */
    csrfToken: string
    /** Notices carried over a redirect. */
    flash: { kind: 'ok' | 'error'; text: string }[]
  }
}
