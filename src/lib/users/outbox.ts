/**
 * Mail that goes out after the answer. A password-reset request must be answered the same
 * way, and in the same time, whether or not the account exists (issue 16: no account
 * enumeration); only an existing account gets a mail, and an SMTP exchange takes tens to
 * hundreds of milliseconds, so a request that waited for it would tell. Messages are sent
 * one at a time, in order; a failure is logged (MM_MAIL_NOT_SENT) and handed to the
 * poster's `onFailure` (e.g. to withdraw the token the mail carried), never to the person
 * who asked. Bounded: past `capacity` waiting messages a new one is dropped the same way,
 * so a flood of requests cannot grow memory without end. `drain` waits, up to a time
 * limit, for what is queued (serve-web's SIGTERM).
 */
import { MailNotSentError } from '../errors.js'
import type { Message, SendMail } from './mail.js'

export type OnMailFailure = (error: MailNotSentError) => unknown

export interface Outbox {
  /** Queues a message; returns at once. */
  post(message: Message, onFailure?: OnMailFailure): void
  /** Waits until the queue is empty or `timeoutMs` passed; returns how many messages were left unsent. */
  drain(timeoutMs: number): Promise<number>
  readonly pending: number
}

export const OUTBOX_CAPACITY = 1000

interface Queued {
  message: Message
  onFailure?: OnMailFailure
}

/** `logError`: where failures are reported (serve-web's log). */
export function createOutbox(send: SendMail, logError: (message: string) => void, options: { capacity?: number } = {}): Outbox {
  const capacity = options.capacity ?? OUTBOX_CAPACITY
  const queue: Queued[] = []
  let sending: Promise<void> | undefined

  const fail = async (item: Queued, error: MailNotSentError) => {
    logError(`${error.code}: ${error.message}`)
    try {
      await item.onFailure?.(error)
    } catch (cleanup) {
      logError(`after a mail to ${item.message.to} was not sent: ${(cleanup as Error).message}`)
    }
  }
  const asNotSent = (error: unknown, message: Message) =>
    error instanceof MailNotSentError ? error : new MailNotSentError(`mail to ${message.to} (${message.subject}) not sent: ${(error as Error).message}`, { cause: error })

  const run = async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      try {
        await send(item.message)
      } catch (error) {
        await fail(item, asNotSent(error, item.message))
      }
    }
    sending = undefined
  }

  return {
    post(message, onFailure) {
      if (queue.length >= capacity) {
        void fail({ message, onFailure }, new MailNotSentError(`mail to ${message.to} (${message.subject}) not sent: ${capacity} mails are already waiting to be sent`))
        return
      }
      queue.push({ message, onFailure })
      sending ??= run()
    },
    async drain(timeoutMs) {
      if (sending) {
        let timer: NodeJS.Timeout | undefined
        await Promise.race([sending, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))])
        clearTimeout(timer)
      }
      return queue.length + (sending ? 1 : 0)
    },
    get pending() {
      return queue.length + (sending ? 1 : 0)
    },
  }
}
