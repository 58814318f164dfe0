/** answerRequest with the body as text, for assertions on exact bytes as strings. */
import { answerRequest as answerBytes, type Answer } from '../../src/lib/mirrorlist/answer.js'
import { bodyText } from '../../src/lib/mirrorlist/body.js'

export type TextAnswer = Omit<Answer, 'body'> & { body: string }

export function answerRequest(...args: Parameters<typeof answerBytes>): TextAnswer {
  const answer = answerBytes(...args)
  return { ...answer, body: bodyText(answer.body) }
}
