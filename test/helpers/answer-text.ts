/** answerRequest with the body as text, for assertions on exact bytes as strings. */
import { answerRequest as answerBytes, type Answer } from '../../src/lib/mirrorlist/answer.js'
import { bodyChunks, type Body } from '../../src/lib/mirrorlist/body.js'

export type TextAnswer = Omit<Answer, 'body'> & { body: string }

/** The body as UTF-8 text: its chunks joined, as the HTTP layer writes them. */
export function bodyText(body: Body): string {
  return Buffer.concat(bodyChunks(body)).toString('utf8')
}

export function answerRequest(...args: Parameters<typeof answerBytes>): TextAnswer {
  const answer = answerBytes(...args)
  return { ...answer, body: bodyText(answer.body) }
}
