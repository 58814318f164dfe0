/**
 * Accounts: /login, /logout, /user/new, /confirm/<token>, /password/lost,
 * /password/reset/<token> (MirrorManager2's paths, without its /auth prefix bugs).
 * Answers never reveal whether an account exists.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { MailNotSentError } from '../../lib/errors.js'
import { authenticate, confirmAccount, requestPasswordReset, resetPassword, signUp, withdrawPasswordReset, type PasswordReset, type SignUpOutcome } from '../../lib/users/accounts.js'
import { createOutbox } from '../../lib/users/outbox.js'
import { tokenIsValid } from '../../lib/users/tokens.js'
import type { WebContext } from './context.js'
import { csrfField, errorsFrom, field, formErrors, formValues, type FieldErrors, type FormValues } from './forms.js'
import { html } from './html.js'
import { redirectWithNotice, safeNext, signIn, signOut } from './session.js'
import { renderPage } from './shell.js'

const LOGIN_FAILED = 'Unknown username, wrong password, or an account whose email address is not confirmed yet.'
const SIGNUP_SENT = 'Thank you. If the username and address were free, a confirmation link is on its way to that address; otherwise the address holder gets a note. Follow the link, then log in.'
const MAIL_FAILED = 'The mail could not be sent just now, so nothing was changed. Please try again in a few minutes.'
const RESET_SENT = 'If an account has that name or address, a link to set a new password is on its way to its address. The link works once, for one hour.'

type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, string> }>

/** On SIGTERM (app.close), how long reset mails still queued may take to go out. */
const MAIL_DRAIN_MS = 15_000

export async function accountRoutes(app: FastifyInstance, { context }: { context: WebContext }) {
  const base = context.settings.basePath
  const limited = { config: { rateLimit: { max: context.settings.loginAttemptsPerMinute, timeWindow: 60_000 } } }
  // Reset mails go out after the answer (lib/users/outbox.ts), so that the answer takes as
  // long whether or not the account exists. Sign-up mails are sent before it: every
  // sign-up gets one (a confirmation, or a note to the holder of a taken name or address),
  // and the person must learn when it could not be sent.
  const outbox = createOutbox((message) => context.sendMail(message), (message) => context.logger.error(message))
  app.addHook('onClose', async () => {
    const left = await outbox.drain(MAIL_DRAIN_MS)
    if (left > 0) context.logger.error(`serve-web: stopped with ${left} password-reset mail(s) not sent`)
  })

  const loginForm = (request: FastifyRequest, reply: FastifyReply, values: FormValues, errors: FieldErrors, status = 200) =>
    renderPage(context, request, reply, 'Log in', html`${formErrors(errors)}
<form class="stacked" method="post" action="${base}/login">${csrfField(request.csrfToken)}
<input type="hidden" name="next" value="${values.next ?? ''}">
${field({ name: 'username', label: 'Username', values, errors, required: true, autocomplete: 'username' })}
${field({ name: 'password', label: 'Password', values, errors, type: 'password', required: true, autocomplete: 'current-password' })}
<p><button type="submit">Log in</button></p></form>
${context.settings.oidc ? html`<p><a class="button" href="${base}/oidc/login?next=${encodeURIComponent(values.next ?? '')}">Log in with your identity provider</a></p>` : ''}
<p><a href="${base}/user/new">Create an account</a> · <a href="${base}/password/lost">Lost your password?</a></p>`, status)

  app.get('/login', async (request: Req, reply) => loginForm(request, reply, { next: request.query.next }, {}))
  app.post('/login', limited, async (request, reply) => {
    const values = formValues(request.body)
    const user = await authenticate(context.sql, values.username ?? '', values.password ?? '')
    if (!user) return loginForm(request, reply, values, { _form: LOGIN_FAILED }, 401)
    await signIn(context, request, reply, user)
    return reply.code(303).redirect(safeNext(context, values.next))
  })

  app.get('/logout', async (request, reply) =>
    renderPage(context, request, reply, 'Log out', request.actor
      ? html`<form method="post" action="${base}/logout">${csrfField(request.csrfToken)}<button type="submit">Log out ${request.actor.username}</button></form>`
      : html`<p>You are not logged in.</p>`))
  app.post('/logout', async (request, reply) => {
    await signOut(context, request, reply)
    return redirectWithNotice(context, request, reply, '/login', 'You are logged out.')
  })

  /** The SMTP server is down or refused: the log gets why, the person a plain message and their form back. */
  const mailFailed = (request: FastifyRequest, reply: FastifyReply, error: MailNotSentError, form: () => unknown) => {
    context.logger.error(`serve-web: ${request.method} ${request.url}: ${error.message}`)
    return form()
  }

  const signUpForm = (request: FastifyRequest, reply: FastifyReply, values: FormValues, errors: FieldErrors, status = 200) =>
    renderPage(context, request, reply, 'Create an account', html`${formErrors(errors)}
<form class="stacked" method="post" action="${base}/user/new">${csrfField(request.csrfToken)}
${field({ name: 'user_name', label: 'Username', values, errors, required: true, autocomplete: 'username', hint: 'Letters, digits, ".", "_" and "-".' })}
${field({ name: 'display_name', label: 'Display name', values, errors })}
${field({ name: 'email_address', label: 'Email address', values, errors, type: 'email', required: true, autocomplete: 'email' })}
${field({ name: 'password', label: 'Password', values, errors, type: 'password', required: true, autocomplete: 'new-password', hint: 'At least 8 characters.' })}
${field({ name: 'confirm_password', label: 'Password again', values, errors, type: 'password', required: true, autocomplete: 'new-password' })}
<p><button type="submit">Create the account</button></p></form>`, status)

  app.get('/user/new', async (request, reply) => signUpForm(request, reply, {}, {}))
  app.post('/user/new', limited, async (request, reply) => {
    const values = formValues(request.body)
    const url = context.settings.publicUrl
    const deliver = (outcome: SignUpOutcome) => context.sendMail(
      outcome.kind === 'created'
        ? { to: outcome.user.email, subject: 'Confirm your MirrorManager account', text: `Hello ${outcome.user.username},\n\nconfirm your address by opening\n\n${url}/confirm/${outcome.token}\n\nThe link works once, for 48 hours.\n` }
        : outcome.kind === 'address-taken'
          ? { to: outcome.email, subject: 'Your MirrorManager account', text: `Someone tried to create a new account with this address, which already belongs to the account "${outcome.username}". If that was you, log in at ${url}/login or reset the password at ${url}/password/lost.\n` }
          : { to: outcome.email, subject: 'MirrorManager sign-up', text: `The username "${outcome.username}" is taken. Sign up again at ${url}/user/new with another one.\n` })
    try {
      await signUp(context.sql, {
        username: values.user_name ?? '', email: values.email_address ?? '', password: values.password ?? '',
        confirmPassword: values.confirm_password ?? '', displayName: values.display_name,
      }, { deliver })
    } catch (error) {
      if (error instanceof MailNotSentError) return mailFailed(request, reply, error, () => signUpForm(request, reply, values, { _form: MAIL_FAILED }, 503))
      return signUpForm(request, reply, values, errorsFrom(error, { username: 'user_name', email: 'email_address', password: 'password', confirmPassword: 'confirm_password', 'display name': 'display_name' }))
    }
    return renderPage(context, request, reply, 'Check your mail', html`<p>${SIGNUP_SENT}</p>`)
  })

  app.get('/confirm/:token', async (request: Req, reply) => {
    const user = await confirmAccount(context.sql, request.params.token)
    if (!user) return renderPage(context, request, reply, 'Link not valid', html`<p>This confirmation link is unknown, used or expired. <a href="${base}/password/lost">Ask for a new link</a>.</p>`, 404)
    return redirectWithNotice(context, request, reply, '/login', `Address confirmed for ${user.username}; you can log in now.`)
  })

  const lostForm = (request: FastifyRequest, reply: FastifyReply, values: FormValues, errors: FieldErrors, status = 200) =>
    renderPage(context, request, reply, 'Lost password', html`${formErrors(errors)}
<form class="stacked" method="post" action="${base}/password/lost">${csrfField(request.csrfToken)}
${field({ name: 'account', label: 'Username or email address', values, errors, required: true })}
<p><button type="submit">Mail me a link</button></p></form>`, status)
  app.get('/password/lost', async (request, reply) => lostForm(request, reply, {}, {}))
  app.post('/password/lost', limited, async (request, reply) => {
    const values = formValues(request.body)
    // Only an existing account gets a mail, so neither its time nor its failure may show: it
    // is queued, the answer is the page an unknown account gets; if it cannot be sent, the log
    // says why and the token it carried is withdrawn.
    const deliver = (reset: PasswordReset) => outbox.post(
      { to: reset.user.email, subject: 'Set a new MirrorManager password', text: `Hello ${reset.user.username},\n\nset a new password at\n\n${context.settings.publicUrl}/password/reset/${reset.token}\n\nThe link works once, for one hour. If you did not ask for it, ignore this mail.\n` },
      () => withdrawPasswordReset(context.sql, reset.token),
    )
    try {
      await requestPasswordReset(context.sql, values.account ?? '', { deliver })
    } catch (error) {
      return lostForm(request, reply, values, errorsFrom(error))
    }
    return renderPage(context, request, reply, 'Check your mail', html`<p>${RESET_SENT}</p>`)
  })

  const resetForm = (request: Req, reply: FastifyReply, errors: FieldErrors) =>
    renderPage(context, request, reply, 'Set a new password', html`${formErrors(errors)}
<form class="stacked" method="post" action="${base}/password/reset/${request.params.token}">${csrfField(request.csrfToken)}
${field({ name: 'password', label: 'New password', values: {}, errors, type: 'password', required: true, autocomplete: 'new-password' })}
${field({ name: 'confirm_password', label: 'New password again', values: {}, errors, type: 'password', required: true, autocomplete: 'new-password' })}
<p><button type="submit">Set the password</button></p></form>`)
  const invalidLink = (request: FastifyRequest, reply: FastifyReply) =>
    renderPage(context, request, reply, 'Link not valid', html`<p>This link is unknown, used or expired. <a href="${base}/password/lost">Ask for a new one</a>.</p>`, 404)
  app.get('/password/reset/:token', async (request: Req, reply) =>
    (await tokenIsValid(context.sql, request.params.token, 'reset')) ? resetForm(request, reply, {}) : invalidLink(request, reply))
  app.post('/password/reset/:token', limited, async (request: Req, reply) => {
    const values = formValues(request.body)
    let user
    try {
      user = await resetPassword(context.sql, request.params.token, values.password ?? '', values.confirm_password ?? '')
    } catch (error) {
      return resetForm(request, reply, errorsFrom(error, { confirmPassword: 'confirm_password' }))
    }
    if (!user) return invalidLink(request, reply)
    return redirectWithNotice(context, request, reply, '/login', 'Password changed; log in with the new one.')
  })
}
