/**
 * OpenID Connect sign-in (/oidc/login, /oidc/callback) with openid-client: authorization
 * code flow with PKCE, state and nonce; the username and groups come from the claims
 * named in [web.oidc] (from the ID token, else from the userinfo endpoint).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import * as client from 'openid-client'
import { oidcAccount } from '../../lib/users/accounts.js'
import type { OidcSettings } from '../../lib/users/web-settings.js'
import type { WebContext } from './context.js'
import { html } from './html.js'
import { safeNext, signIn } from './session.js'
import { renderPage } from './shell.js'

const PENDING_COOKIE = 'mm_oidc'

function discover(settings: OidcSettings): Promise<client.Configuration> {
  const insecure = settings.issuer.startsWith('http:') ? { execute: [client.allowInsecureRequests] } : undefined
  return client.discovery(new URL(settings.issuer), settings.clientId, settings.clientSecret || undefined, undefined, insecure)
}

function claimText(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined
}

export async function oidcRoutes(app: FastifyInstance, { context }: { context: WebContext }) {
  const settings = context.settings.oidc
  if (!settings) return
  let configuration: Promise<client.Configuration> | undefined
  const config = () => (configuration ??= discover(settings).catch((error) => {
    configuration = undefined
    throw error
  }))
  const cookie = (request: FastifyRequest) => ({ path: `${context.settings.basePath}/oidc/`, httpOnly: true, sameSite: 'lax' as const, secure: request.protocol === 'https', maxAge: 600 })

  app.get('/oidc/login', async (request: FastifyRequest<{ Querystring: Record<string, string> }>, reply) => {
    const verifier = client.randomPKCECodeVerifier()
    const state = client.randomState()
    const nonce = client.randomNonce()
    const url = client.buildAuthorizationUrl(await config(), {
      redirect_uri: `${context.settings.publicUrl}/oidc/callback`, scope: settings.scopes, state, nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    })
    const next = safeNext(context, request.query.next)
    reply.setCookie(PENDING_COOKIE, JSON.stringify({ verifier, state, nonce, next }), cookie(request))
    return reply.code(303).redirect(url.href)
  })

  app.get('/oidc/callback', async (request, reply) => {
    let pending: { verifier: string; state: string; nonce: string; next: string }
    try {
      pending = JSON.parse(request.cookies[PENDING_COOKIE] ?? '')
    } catch {
      return renderPage(context, request, reply, 'Sign-in failed', html`<p>The sign-in took too long or was not started here. <a href="${context.settings.basePath}/login">Try again</a>.</p>`, 400)
    }
    reply.clearCookie(PENDING_COOKIE, cookie(request))
    const configuration = await config()
    const current = new URL(`${context.settings.publicUrl}/oidc/callback`)
    current.search = new URL(request.url, 'http://callback.invalid').search
    let tokens
    try {
      tokens = await client.authorizationCodeGrant(configuration, current, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce })
    } catch (error) {
      context.logger.warn(`serve-web: OIDC sign-in refused: ${(error as Error).message}`)
      return renderPage(context, request, reply, 'Sign-in failed', html`<p>The identity provider's answer was not valid. <a href="${context.settings.basePath}/login">Try again</a>.</p>`, 400)
    }
    let claims: Record<string, unknown> = { ...tokens.claims() }
    if (!claimText(claims[settings.usernameClaim]) || !(settings.groupsClaim in claims)) {
      claims = { ...claims, ...(await client.fetchUserInfo(configuration, tokens.access_token, String(claims.sub))) }
    }
    const username = claimText(claims[settings.usernameClaim])
    if (!username) {
      return renderPage(context, request, reply, 'Sign-in failed', html`<p>The identity provider did not name the user (claim ${settings.usernameClaim}).</p>`, 400)
    }
    // A missing or null groups claim means no groups (MirrorManager2 crashed on null).
    const rawGroups = claims[settings.groupsClaim]
    const groups = Array.isArray(rawGroups) ? rawGroups.filter((g): g is string => typeof g === 'string') : []
    const user = await oidcAccount(context.sql, { username, email: claimText(claims.email) })
    await signIn(context, request, reply, user, groups)
    return reply.code(303).redirect(safeNext(context, pending.next))
  })
}
