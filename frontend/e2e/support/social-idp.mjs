#!/usr/bin/env node
// A stand-in for Facebook's and X (Twitter)'s OAuth 2.0 endpoints, which the Rust integration
// tests and the Playwright e2e tests start on loopback. Neither provider speaks OpenID Connect:
// Steward calls their documented endpoints, and the tests point those base URLs here. The shapes
// follow the real APIs (Facebook Graph API v19, X API v2 OAuth 2.0 Authorization Code with PKCE).
//
// Usage:
//   node frontend/e2e/support/social-idp.mjs '{"port":0,"clients":{
//     "facebook":{"client_id":"fb-app","client_secret":"fb-secret"},
//     "twitter":{"client_id":"tw-app","client_secret":"tw-secret"}}}'
//   A client may also list "redirect_uris": [...]; then the authorization request's redirect_uri
//   must be one of them (otherwise any absolute URL is accepted, and must match at the token call).
// Once listening on 127.0.0.1 it prints exactly one line to stdout,
//   {"base":"http://127.0.0.1:PORT"}
// and runs until SIGTERM/SIGINT. Everything else goes to stderr.
//
// Facebook, under {base}/facebook. A Graph version segment right after /facebook (/facebook/v19.0/me)
// is accepted and ignored, as in www.facebook.com/v19.0/dialog/oauth.
//   GET  /facebook/dialog/oauth?client_id&redirect_uri&state&scope&response_type=code
//          [&code_challenge&code_challenge_method][&login_hint]
//        -> 200 HTML: <form method="post" action="/facebook/dialog/oauth/approve"> carrying the query
//           as hidden fields, a text input "login" (an email address, labelled "Email address"),
//           a "Continue" button, and a "Cancel" button (name=action value=deny).
//           With login_hint=<email> there is no page: 302 straight to the redirect below.
//           Unknown client_id or bad redirect_uri -> 400 HTML page.
//   POST /facebook/dialog/oauth/approve (that form) -> 302 <redirect_uri>?code=..&state=..
//        Cancel -> 302 <redirect_uri>?error=access_denied&error_code=200
//                  &error_description=Permissions+error&error_reason=user_denied&state=..
//   GET|POST /facebook/oauth/access_token   client_id, client_secret, redirect_uri, code [, code_verifier]
//        (query string for GET, form body for POST; HTTP Basic is not read, as at Facebook)
//        -> 200 {"access_token":"EAA..","token_type":"bearer","expires_in":5183944}
//        errors -> 400 {"error":{"message":"..","type":"OAuthException","code":N,"fbtrace_id":".."}}
//        (code 1 bad secret, 101 unknown app, 100 bad/reused/expired code, redirect_uri mismatch,
//        bad code_verifier). Codes are single-use and live 10 minutes. When the dialog got a
//        code_challenge, a matching code_verifier is required (S256, or plain).
//   GET  /facebook/me?fields=id,name,email,first_name,last_name
//        token as access_token query parameter or Authorization: Bearer
//        -> 200 the fields asked for (default id,name), id always:
//           {"id":"<17 digits, stable per login>","name","first_name","last_name","email":"<login>"}
//           no email when the login has no "@"
//        bad token -> 400 OAuthException, code 190; no token -> 400 OAuthException, code 2500.
//
// X / Twitter, under {base}/twitter:
//   GET  /twitter/i/oauth2/authorize?response_type=code&client_id&redirect_uri&scope&state
//          &code_challenge&code_challenge_method=S256[&login_hint]
//        -> the same HTML page pattern (input "login", labelled "Handle": a handle such as "ada"), form action
//           /twitter/i/oauth2/authorize/approve; login_hint skips it.
//           A code_challenge with method S256 is REQUIRED (400 HTML page without).
//   POST /twitter/i/oauth2/authorize/approve -> 302 <redirect_uri>?state=..&code=..
//        Cancel -> 302 <redirect_uri>?error=access_denied&state=..
//   POST /twitter/2/oauth2/token   form grant_type=authorization_code&code&redirect_uri&code_verifier,
//        client authentication by HTTP Basic (a confidential client)
//        -> 200 {"token_type":"bearer","expires_in":7200,"access_token":"..","scope":"<the scope asked for>"}
//        errors -> 400 {"error":"invalid_request","error_description":".."} (bad/reused code, redirect_uri,
//        code_verifier, grant_type); 401 {"error":"unauthorized_client",...} for missing or bad Basic.
//   GET  /twitter/2/users/me   Authorization: Bearer
//        -> 200 {"data":{"id":"<19 digits, stable per handle>","name":"<Handle Name>","username":"<handle>"}}
//           no email (X gives none by default)
//        bad token -> 401 {"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}
//
// Test hooks:
//   GET  /__health -> 200 "ok"
//   POST /__tamper {"provider":"facebook"|"twitter","mode":"garbage"|"hang"|"none"} -> 204
//        one-shot, applied to that provider's next token request, before anything is checked:
//        garbage = 200 text/plain "this is not json"; hang = no answer, the connection is held
//        5 minutes and then dropped.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'

/** @typedef {import('node:http').IncomingMessage} Req */
/** @typedef {import('node:http').ServerResponse} Res */
/** @typedef {'facebook' | 'twitter'} Social */
/** @typedef {{ client_id: string, client_secret: string, redirect_uris?: string[] }} Client */
/** @typedef {{ port?: number, clients?: Partial<Record<Social, Client>> }} Config */
/**
 * @typedef {{ provider: Social, clientId: string, redirectUri: string, login: string, scope: string,
 *   challenge?: string, method?: string, expires: number, used: boolean }} Code
 */

const log = (/** @type {unknown[]} */ ...args) => console.error('[social-idp]', ...args)

const config = parseConfig(process.argv[2])
const clients = config.clients ?? {}

const CODE_TTL_MS = 10 * 60 * 1000
const FACEBOOK_TOKEN_TTL = 5183944 // what Facebook answers for a long-lived user token
const TWITTER_TOKEN_TTL = 7200
const HANG_MS = 5 * 60 * 1000

/** @type {Map<string, Code>} */
const codes = new Map()
/** @type {Map<string, { provider: Social, login: string, expires: number }>} */
const tokens = new Map()
/** One-shot tamper mode per provider, for its next token request. @type {Record<Social, string>} */
const tamper = { facebook: 'none', twitter: 'none' }

// -------------------------------------------------------------------------------- identities

const capitalise = (/** @type {string} */ s) => (s ? s[0].toUpperCase() + s.slice(1).toLowerCase() : s)

/** A stable id of `digits` decimal digits for a login. @param {Social} provider @param {string} login @param {number} digits */
function numericId(provider, login, digits) {
  const hash = createHash('sha256').update(`${provider}:${login}`).digest()
  const n = hash.readBigUInt64BE(0) % 10n ** BigInt(digits - 1)
  return `1${n.toString().padStart(digits - 1, '0')}`
}

/** The Facebook user of an email-like login: "ada.lovelace@example.com" is Ada Lovelace, "alice@example.com" Alice Example. @param {string} login */
function facebookUser(login) {
  const at = login.lastIndexOf('@')
  const parts = (at < 0 ? login : login.slice(0, at)).split(/[._+-]+/).filter(Boolean).map(capitalise)
  const first = parts[0] ?? 'User'
  const last = parts.length > 1 ? parts.slice(1).join(' ') : (at < 0 ? '' : capitalise(login.slice(at + 1).split('.')[0])) || 'User'
  /** @type {Record<string, string>} */
  const user = { id: numericId('facebook', login, 17), name: `${first} ${last}`, first_name: first, last_name: last }
  if (at >= 0) user.email = login
  return user
}

/** The X user of a handle: "ada_lovelace" is "Ada Lovelace". @param {string} login */
function twitterUser(login) {
  const username = login.replace(/^@/, '')
  const name = username.split(/[._-]+/).filter(Boolean).map(capitalise).join(' ') || username
  return { id: numericId('twitter', username, 19), name, username }
}

// ----------------------------------------------------------------------------------- helpers

const random = (bytes = 24) => randomBytes(bytes).toString('base64url')

/** A JSON answer, or text/plain when `body` is a string. @param {Res} res @param {number} status @param {unknown} body @param {Record<string, string>} [headers] */
function send(res, status, body, headers = {}) {
  const text = typeof body === 'string'
  res.writeHead(status, {
    'content-type': text ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  })
  res.end(text ? body : JSON.stringify(body))
}

/** @param {Res} res @param {number} status @param {string} html */
function sendHtml(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
  res.end(html)
}

/** @param {Res} res @param {string} location */
function redirect(res, location) {
  res.writeHead(302, { location, 'cache-control': 'no-store' })
  res.end()
}

const esc = (/** @type {string} */ s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** @param {Req} req */
async function readBody(req) {
  /** @type {Buffer[]} */
  const chunks = []
  for await (const chunk of req) chunks.push(chunk)
  return Buffer.concat(chunks).toString('utf8')
}

/** @param {Req} req */
const formParams = async (req) => new URLSearchParams(await readBody(req))

/** @param {string} a @param {string} b */
function safeEqual(a, b) {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

const s256 = (/** @type {string} */ verifier) => createHash('sha256').update(verifier).digest('base64url')

/** `uri` with these query parameters added (undefined and null ones left out). @param {string} uri @param {Record<string, string | null | undefined>} params */
function withParams(uri, params) {
  const url = new URL(uri)
  for (const [k, v] of Object.entries(params)) if (v != null) url.searchParams.set(k, v)
  return url.toString()
}

/** Answers a pending one-shot tamper for `provider`'s token request; true when it did. @param {Social} provider @param {Res} res */
async function applyTamper(provider, res) {
  const mode = tamper[provider]
  if (mode === 'none') return false
  tamper[provider] = 'none'
  log(`tamper: applying ${mode} to this ${provider} token request`)
  if (mode === 'garbage') {
    send(res, 200, 'this is not json')
    return true
  }
  // hang: never answer, and drop the connection after a while.
  await new Promise((resolve) => setTimeout(resolve, HANG_MS))
  res.destroy()
  return true
}

/** @param {Social} provider @param {string} token */
function lookupToken(provider, token) {
  const t = tokens.get(token)
  return t && t.provider === provider && t.expires > Date.now() ? t : undefined
}

/** @param {Req} req @param {string} scheme */
function authorization(req, scheme) {
  const m = new RegExp(`^${scheme}\\s+(\\S+)$`, 'i').exec(req.headers.authorization ?? '')
  return m ? m[1] : undefined
}

// ---------------------------------------------------------------------- the sign-in dialog

const PAGES = {
  facebook: { title: 'Log in to Facebook (test stand-in)', action: '/facebook/dialog/oauth/approve', label: 'Email address', type: 'email', placeholder: 'alice@example.com' },
  twitter: { title: 'Sign in to X (test stand-in)', action: '/twitter/i/oauth2/authorize/approve', label: 'Handle', type: 'text', placeholder: 'ada' },
}

/** The person-facing page: the request's parameters as hidden fields, a login input, Continue and Cancel. @param {Social} provider @param {URLSearchParams} params */
function signInPage(provider, params) {
  const page = PAGES[provider]
  const hidden = [...params]
    .filter(([k]) => k !== 'login' && k !== 'action')
    .map(([k, v]) => `      <input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('\n')
  return `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>${esc(page.title)}</title></head>
  <body>
    <h1>${esc(page.title)}</h1>
    <p>Any ${esc(page.label.toLowerCase())} signs in.</p>
    <form method="post" action="${page.action}">
${hidden}
      <label for="login">${esc(page.label)}</label>
      <input id="login" name="login" type="${page.type}" placeholder="${esc(page.placeholder)}" required autofocus>
      <button type="submit">Continue</button>
      <button type="submit" name="action" value="deny" formnovalidate>Cancel</button>
    </form>
  </body>
</html>
`
}

/** @param {Res} res @param {string} message */
function errorPage(res, message) {
  sendHtml(res, 400, `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Error</title></head><body><h1>Error</h1><p>${esc(message)}</p></body></html>
`)
}

/**
 * Checks an authorization request (the dialog's query, or the form the page posts back). When it
 * is bad, answers the 400 page and returns false.
 * @param {Social} provider @param {URLSearchParams} params @param {Res} res
 */
function authorizationRequestOk(provider, params, res) {
  const fb = provider === 'facebook'
  const client = clients[provider]
  const redirectUri = params.get('redirect_uri') ?? ''
  let problem
  if (!client || params.get('client_id') !== client.client_id) {
    problem = fb ? 'Invalid App ID: The provided app ID does not look like a valid app ID.' : 'Something went wrong: unknown client_id.'
  } else if (!URL.canParse(redirectUri) || (client.redirect_uris && !client.redirect_uris.includes(redirectUri))) {
    problem = fb
      ? "URL Blocked: This redirect failed because the redirect URI is not whitelisted in the app's Client OAuth Settings."
      : 'Something went wrong: invalid redirect_uri.'
  } else if ((params.get('response_type') ?? 'code') !== 'code') {
    problem = 'Only response_type=code is served here.'
  } else if (!fb && (!params.get('code_challenge') || params.get('code_challenge_method') !== 'S256')) {
    problem = 'Something went wrong: a code_challenge with code_challenge_method=S256 is required.'
  } else if (fb && params.get('code_challenge') && !['S256', 'plain'].includes(params.get('code_challenge_method') ?? 'plain')) {
    problem = 'Invalid code_challenge_method.'
  }
  if (problem) errorPage(res, problem)
  return !problem
}

/** Issues a code for `login` and redirects back with it. @param {Social} provider @param {URLSearchParams} params @param {string} login @param {Res} res */
function approve(provider, params, login, res) {
  const code = random(24)
  codes.set(code, {
    provider,
    clientId: params.get('client_id') ?? '',
    redirectUri: params.get('redirect_uri') ?? '',
    login,
    scope: params.get('scope') ?? '',
    challenge: params.get('code_challenge') || undefined,
    method: params.get('code_challenge_method') || undefined,
    expires: Date.now() + CODE_TTL_MS,
    used: false,
  })
  log(`${provider}: ${login} signed in, code issued`)
  const state = params.get('state')
  // Facebook puts the code first, X the state; a client must not care.
  redirect(res, withParams(params.get('redirect_uri') ?? '', provider === 'facebook' ? { code, state } : { state, code }))
}

/** @param {Social} provider @param {URLSearchParams} params @param {Res} res */
function deny(provider, params, res) {
  const state = params.get('state')
  const error =
    provider === 'facebook'
      ? { error: 'access_denied', error_code: '200', error_description: 'Permissions error', error_reason: 'user_denied', state }
      : { error: 'access_denied', state }
  redirect(res, withParams(params.get('redirect_uri') ?? '', error))
}

/** GET of the dialog. @param {Social} provider @param {URL} url @param {Res} res */
function authorize(provider, url, res) {
  const params = url.searchParams
  if (!authorizationRequestOk(provider, params, res)) return
  const hint = params.get('login_hint')
  if (hint) approve(provider, params, hint, res)
  else sendHtml(res, 200, signInPage(provider, params))
}

/** POST of the dialog's form. @param {Social} provider @param {Req} req @param {Res} res */
async function authorizeSubmit(provider, req, res) {
  const params = await formParams(req)
  if (!authorizationRequestOk(provider, params, res)) return
  if (params.get('action') === 'deny') return deny(provider, params, res)
  const login = (params.get('login') ?? '').trim()
  if (!login) return errorPage(res, 'Enter a login.')
  approve(provider, params, login, res)
}

// ---------------------------------------------------------------------------------- Facebook

/** @param {Res} res @param {string} message @param {number} [code] */
function facebookError(res, message, code = 100) {
  send(res, 400, { error: { message, type: 'OAuthException', code, fbtrace_id: random(8) } })
}

/** @param {Req} req @param {URL} url @param {Res} res */
async function facebookAccessToken(req, url, res) {
  const params = req.method === 'POST' ? await formParams(req) : url.searchParams
  if (await applyTamper('facebook', res)) return

  const client = clients.facebook
  const clientId = params.get('client_id')
  if (!clientId) return facebookError(res, 'Missing client_id parameter.', 101)
  if (!client || clientId !== client.client_id) return facebookError(res, 'Error validating application. Invalid application ID.', 101)
  if (!safeEqual(params.get('client_secret') ?? '', client.client_secret)) return facebookError(res, 'Error validating client secret.', 1)
  const redirectUri = params.get('redirect_uri')
  if (!redirectUri) return facebookError(res, 'Missing redirect_uri parameter.')
  const entry = codes.get(params.get('code') ?? '')
  if (!entry || entry.provider !== 'facebook' || entry.clientId !== clientId) return facebookError(res, 'Invalid verification code format.')
  if (entry.used) return facebookError(res, 'This authorization code has been used.')
  entry.used = true // spent, whatever comes next
  if (entry.expires < Date.now()) return facebookError(res, 'This authorization code has expired.')
  if (entry.redirectUri !== redirectUri) {
    return facebookError(res, 'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request')
  }
  if (entry.challenge) {
    const verifier = params.get('code_verifier')
    if (!verifier) return facebookError(res, 'Missing code_verifier parameter.')
    const expected = (entry.method ?? 'plain') === 'S256' ? s256(verifier) : verifier
    if (!safeEqual(expected, entry.challenge)) return facebookError(res, 'Invalid code_verifier.')
  }

  const accessToken = `EAA${random(32)}`
  tokens.set(accessToken, { provider: 'facebook', login: entry.login, expires: Date.now() + FACEBOOK_TOKEN_TTL * 1000 })
  send(res, 200, { access_token: accessToken, token_type: 'bearer', expires_in: FACEBOOK_TOKEN_TTL })
}

/** @param {Req} req @param {URL} url @param {Res} res */
function facebookMe(req, url, res) {
  const token = authorization(req, 'Bearer') ?? url.searchParams.get('access_token')
  if (!token) return facebookError(res, 'An active access token must be used to query information about the current user.', 2500)
  const t = lookupToken('facebook', token)
  if (!t) return facebookError(res, 'Invalid OAuth access token - Cannot parse access token', 190)
  const user = facebookUser(t.login)
  /** @type {Record<string, string>} */
  const out = { id: user.id }
  for (const field of (url.searchParams.get('fields') || 'id,name').split(',')) {
    const f = field.trim()
    if (f in user) out[f] = user[f]
  }
  send(res, 200, out)
}

// ------------------------------------------------------------------------------- X / Twitter

/** @param {Res} res @param {string} description */
function twitterInvalid(res, description) {
  send(res, 400, { error: 'invalid_request', error_description: description })
}

/** @param {Req} req @param {Res} res */
async function twitterToken(req, res) {
  const params = await formParams(req)
  if (await applyTamper('twitter', res)) return

  // Client authentication: HTTP Basic of the form-urlencoded client_id and client_secret.
  const client = clients.twitter
  const basic = Buffer.from(authorization(req, 'Basic') ?? '', 'base64').toString('utf8')
  const colon = basic.indexOf(':')
  let id = ''
  let secret = ''
  try {
    id = colon < 0 ? '' : decodeURIComponent(basic.slice(0, colon).replaceAll('+', ' '))
    secret = colon < 0 ? '' : decodeURIComponent(basic.slice(colon + 1).replaceAll('+', ' '))
  } catch {
    id = ''
  }
  if (!client || !id || id !== client.client_id || !safeEqual(secret, client.client_secret)) {
    return send(res, 401, { error: 'unauthorized_client', error_description: 'Missing valid authorization header' })
  }

  if (params.get('grant_type') !== 'authorization_code') return twitterInvalid(res, 'Value passed for the grant type was invalid.')
  const entry = codes.get(params.get('code') ?? '')
  const usable = entry && entry.provider === 'twitter' && entry.clientId === id && !entry.used && entry.expires > Date.now()
  if (entry) entry.used = true // spent, whatever comes next
  if (!entry || !usable) return twitterInvalid(res, 'Value passed for the authorization code was invalid.')
  if (entry.redirectUri !== params.get('redirect_uri')) {
    return twitterInvalid(res, 'Value passed for the redirect uri did not match the uri of the authorization code.')
  }
  const verifier = params.get('code_verifier')
  if (!verifier || !safeEqual(s256(verifier), entry.challenge ?? '')) {
    return twitterInvalid(res, 'Value passed for the code verifier did not match the code challenge.')
  }

  const accessToken = random(48)
  tokens.set(accessToken, { provider: 'twitter', login: entry.login, expires: Date.now() + TWITTER_TOKEN_TTL * 1000 })
  send(res, 200, { token_type: 'bearer', expires_in: TWITTER_TOKEN_TTL, access_token: accessToken, scope: entry.scope || 'users.read tweet.read' })
}

/** @param {Req} req @param {Res} res */
function twitterMe(req, res) {
  const token = authorization(req, 'Bearer')
  const t = token && lookupToken('twitter', token)
  if (!t) {
    return send(res, 401, { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' })
  }
  send(res, 200, { data: twitterUser(t.login) })
}

// ----------------------------------------------------------------------------------- routing

/** @param {Req} req @param {Res} res */
async function route(req, res) {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  // A Graph API version segment is dropped: /facebook/v19.0/me is /facebook/me.
  const path = url.pathname.replace(/^\/facebook\/v\d+(\.\d+)?(?=\/)/, '/facebook')
  const is = (/** @type {string} */ method, /** @type {string} */ p) => req.method === method && path === p

  if (is('GET', '/__health')) return send(res, 200, 'ok')
  if (is('POST', '/__tamper')) {
    /** @type {{ provider?: unknown, mode?: unknown }} */
    let body
    try {
      body = JSON.parse(await readBody(req))
    } catch {
      body = {}
    }
    const { provider, mode } = body
    if ((provider !== 'facebook' && provider !== 'twitter') || typeof mode !== 'string' || !['garbage', 'hang', 'none'].includes(mode)) {
      return send(res, 400, { error: 'want {"provider":"facebook"|"twitter","mode":"garbage"|"hang"|"none"}' })
    }
    tamper[provider] = mode
    log(`tamper: next ${provider} token answer -> ${mode}`)
    res.writeHead(204)
    return res.end()
  }

  if (is('GET', '/facebook/dialog/oauth')) return authorize('facebook', url, res)
  if (is('POST', '/facebook/dialog/oauth/approve')) return authorizeSubmit('facebook', req, res)
  if (is('GET', '/facebook/oauth/access_token') || is('POST', '/facebook/oauth/access_token')) return facebookAccessToken(req, url, res)
  if (is('GET', '/facebook/me')) return facebookMe(req, url, res)

  if (is('GET', '/twitter/i/oauth2/authorize')) return authorize('twitter', url, res)
  if (is('POST', '/twitter/i/oauth2/authorize/approve')) return authorizeSubmit('twitter', req, res)
  if (is('POST', '/twitter/2/oauth2/token')) return twitterToken(req, res)
  if (is('GET', '/twitter/2/users/me')) return twitterMe(req, res)

  send(res, 404, { error: 'not found', path: url.pathname })
}

const server = createServer((req, res) => {
  route(req, res).catch((err) => {
    log('error', err)
    if (!res.headersSent) send(res, 500, { error: 'server_error' })
    else res.destroy()
  })
})
await new Promise((resolve, reject) => {
  server.once('error', reject)
  server.listen(config.port ?? 0, '127.0.0.1', () => resolve(undefined))
})
const { port } = /** @type {import('node:net').AddressInfo} */ (server.address())
const base = `http://127.0.0.1:${port}`
process.stdout.write(`${JSON.stringify({ base })}\n`)
log(`listening at ${base}`)

/** @param {string} signal */
function shutdown(signal) {
  log(`${signal}, exiting`)
  server.close()
  server.closeAllConnections()
  process.exit(0)
}
process.on('SIGTERM', () => shutdown('SIGTERM'))
process.on('SIGINT', () => shutdown('SIGINT'))

/** @param {string | undefined} arg @returns {Config} */
function parseConfig(arg) {
  try {
    const parsed = JSON.parse(arg ?? '{}')
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('config must be a JSON object')
    return parsed
  } catch (err) {
    console.error(`[social-idp] bad config argument: ${err instanceof Error ? err.message : err}`)
    process.exit(2)
  }
}
