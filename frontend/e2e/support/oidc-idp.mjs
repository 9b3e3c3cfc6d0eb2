#!/usr/bin/env node
// A real OpenID Provider (the `oidc-provider` package) that the Rust integration tests and the
// Playwright e2e tests start on loopback to test "sign in with a provider" through Steward.
//
// Usage:
//   node frontend/e2e/support/oidc-idp.mjs '<json config>'
//   config = {
//     "port": 0,               // 0 = pick a free port
//     "sso": false,            // optional; see "Sign-in" below
//     "clients": [{
//       "client_id": "...", "client_secret": "...",
//       "redirect_uris": ["http://127.0.0.1:1234/public/v1/acme/oauth/callback/okta"]
//       // any other client metadata goes through to oidc-provider as is,
//       // e.g. "token_endpoint_auth_method": "client_secret_post"
//     }]
//   }
// Once listening on 127.0.0.1 it prints exactly one line to stdout,
//   {"issuer":"http://127.0.0.1:PORT"}
// and runs until SIGTERM/SIGINT. Everything else (oidc-provider's own warnings too) goes to stderr.
//
// Endpoints (issuer = http://127.0.0.1:PORT, no trailing slash):
//   GET  /.well-known/openid-configuration   discovery
//   GET  /jwks                               one RS256 key, made at start (kid "idp-<random>")
//   GET  /auth                               authorization endpoint
//   POST /token                              token endpoint
//   GET  /me                                 userinfo
//   GET  /__health                           200 "ok"
//   POST /__tamper {"mode": "..."}           204; one-shot rewrite of the next /token answer
//
// Clients: grant_types authorization_code + refresh_token, response_types code, and
// token_endpoint_auth_method client_secret_basic (HTTP Basic of the form-urlencoded client_id
// and client_secret), which is what discovery and the client's metadata say. oidc-provider
// treats client_secret_basic and client_secret_post alike, so the token endpoint also takes
// client_id and client_secret in the form body; a client with "token_endpoint_auth_method":
// "client_secret_post" takes both as well.
// PKCE is REQUIRED on every authorization request (S256, the only method oidc-provider knows),
// and the code_verifier is checked at /token.
//
// Sign-in as a plain HTTP client (no JS) does it. Keep one cookie jar for the whole flow. The
// provider sets signed cookies (each NAME comes with a NAME.sig) with narrow paths; a jar that
// sends every cookie it holds for this origin works as well as a path-aware one.
//   1. GET {issuer}/auth?response_type=code&client_id=..&redirect_uri=..&scope=openid email profile
//          &state=..&nonce=..&code_challenge=..&code_challenge_method=S256
//      -> 303, Location: /interaction/<uid>   (relative)
//         Set-Cookie: idp_interaction (Path=/interaction/<uid>), idp_interaction_resume (Path=/auth/<uid>)
//   2. GET {issuer}/interaction/<uid>   (with idp_interaction)  -> 200, the HTML login page:
//        <form action="{issuer}/interaction/<uid>" method="post"> with the fields
//        prompt (hidden, "login"), login (text), password (password)
//        (in a browser: placeholders "Enter any login" and "and password", button "Sign-in")
//   3. POST {issuer}/interaction/<uid>  (with idp_interaction), application/x-www-form-urlencoded
//        prompt=login&login=<login id>&password=<anything>   (the password is not checked)
//      -> 303, Location: {issuer}/auth/<uid>
//   4. GET {issuer}/auth/<uid>  (with idp_interaction_resume)
//      -> 303, Location: <redirect_uri>?code=..&state=..&iss=<issuer, URL-encoded>
//         Set-Cookie: idp_session (Path=/), and clears idp_interaction_resume
// There is no consent page: `loadExistingGrant` below grants whatever the client asks for.
// Without "sso": true the provider ignores its `idp_session` cookie, so every authorization request
// is a fresh sign-in and a test can sign in as someone else in the same browser. With "sso": true
// a browser (or jar) that signed in before gets step 1 answered at once by the 303 to
// redirect_uri with a code, with no login page; signing in as someone else
// then goes through oidc-provider's logout confirmation (a page that posts itself with
// JavaScript), which a plain HTTP client would have to submit by hand.
//
// Accounts: every login id is an account, sub = the login id.
//   "alice@example.com"            email alice@example.com, email_verified true,
//                                  name "Alice Example", given_name "Alice", family_name "Example"
//   "ada.lovelace@example.com"     ... name "Ada Lovelace", given_name "Ada", family_name "Lovelace"
//   "unverified:bob@example.com"   email bob@example.com, email_verified false (sub keeps the prefix)
//   "ada"  (no "@")                no email claim; name and given_name "Ada", no family_name
// Scopes openid, email (email, email_verified), profile (name, given_name, family_name). The
// claims go into the id_token as well as userinfo (conformIdTokenClaims: false).
//
// Tamper modes, POST /__tamper {"mode": ...}: applied to the next /token request whatever its
// outcome, then back to none.
//   bad_signature  the id_token's signature altered (still a well-formed JWT)
//   wrong_aud      re-signed with the real key and kid, aud "someone-else"
//   expired        re-signed, exp one hour ago, iat two hours ago
//   wrong_nonce    re-signed, nonce "not-the-nonce"
//   wrong_issuer   re-signed, iss "http://evil.example"
//   garbage        body "this is not json", status 200, content-type text/plain
//   hang           no answer: the connection is held 5 minutes, then dropped
//   none           clear a pending mode

import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import * as jose from 'jose'
// @ts-expect-error -- oidc-provider ships no type declarations
import { Provider } from 'oidc-provider'

/** @typedef {{ port?: number, sso?: boolean, clients?: Record<string, unknown>[] }} Config */
/** Koa's context and next, as oidc-provider hands them over (no types shipped). @typedef {any} KoaContext */
/** @typedef {() => Promise<void>} Next */

const log = (/** @type {unknown[]} */ ...args) => console.error('[oidc-idp]', ...args)

const config = parseConfig(process.argv[2])

// ---------------------------------------------------------------------------------- accounts

const capitalise = (/** @type {string} */ s) => (s ? s[0].toUpperCase() + s.slice(1).toLowerCase() : s)

/** The claims (besides sub) for a login id; see the header comment. @param {string} login */
function profileFor(login) {
  let address = login
  let verified = true
  if (address.startsWith('unverified:')) {
    address = address.slice('unverified:'.length)
    verified = false
  }
  const at = address.lastIndexOf('@')
  if (at < 0) {
    const name = address.split(/[._+-]+/).filter(Boolean).map(capitalise).join(' ') || address
    return { name, given_name: name.split(' ')[0] }
  }
  const parts = address.slice(0, at).split(/[._+-]+/).filter(Boolean).map(capitalise)
  const given = parts[0] ?? 'User'
  const family = parts.length > 1 ? parts.slice(1).join(' ') : capitalise(address.slice(at + 1).split('.')[0]) || 'User'
  return { email: address, email_verified: verified, name: `${given} ${family}`, given_name: given, family_name: family }
}

/** oidc-provider's account lookup: every id exists. @param {KoaContext} _ctx @param {string} id */
async function findAccount(_ctx, id) {
  return {
    accountId: id,
    claims: async () => ({ sub: id, ...profileFor(id) }),
  }
}

// ------------------------------------------------------------------------------------ server

// The issuer carries the port, so listen first and attach the provider once it exists.
const server = createServer((_req, res) => {
  res.statusCode = 503
  res.end('starting')
})
await new Promise((resolve, reject) => {
  server.once('error', reject)
  server.listen(config.port ?? 0, '127.0.0.1', () => resolve(undefined))
})
const { port } = /** @type {import('node:net').AddressInfo} */ (server.address())
const issuer = `http://127.0.0.1:${port}`

// The signing key is made here, so that this script holds the private key for re-signing.
const KID = `idp-${randomBytes(6).toString('hex')}`
const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true })
const privateJwk = { ...(await jose.exportJWK(privateKey)), kid: KID, alg: 'RS256', use: 'sig' }

const provider = new Provider(issuer, {
  clients: (config.clients ?? []).map((client) => ({
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...client,
  })),
  jwks: { keys: [privateJwk] },
  // Browsers share cookies between ports of one host, and Steward runs on 127.0.0.1 too:
  // names of our own keep clear of anything Steward sets.
  cookies: {
    keys: [randomBytes(32).toString('hex')],
    names: { session: 'idp_session', interaction: 'idp_interaction', resume: 'idp_interaction_resume' },
  },
  findAccount,
  scopes: ['openid', 'email', 'profile', 'offline_access'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
  },
  // The claims of the granted scopes go into the id_token, not only to userinfo.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  // No consent page: grant whatever scopes and claims the client asks for.
  async loadExistingGrant(/** @type {KoaContext} */ ctx) {
    const { oidc } = ctx
    const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId)
    const grant =
      (grantId && (await oidc.provider.Grant.find(grantId))) ||
      new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId })
    grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '))
    grant.addOIDCClaims([...oidc.requestParamClaims])
    await grant.save()
    return grant
  },
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 600,
    IdToken: 3600,
    Interaction: 3600,
    Session: 86400,
    Grant: 86400,
    RefreshToken: 86400,
  },
})
provider.on('server_error', (/** @type {KoaContext} */ _ctx, /** @type {unknown} */ err) => log('server_error', err))

// ------------------------------------------------------------------------------------ tamper

const TAMPER_MODES = new Set(['none', 'bad_signature', 'wrong_aud', 'expired', 'wrong_nonce', 'wrong_issuer', 'garbage', 'hang'])
let tamper = 'none'

/** The id_token with some claims changed, signed again with the real key and kid. @param {string} idToken @param {jose.JWTPayload} change */
async function resign(idToken, change) {
  const header = jose.decodeProtectedHeader(idToken)
  const payload = { ...jose.decodeJwt(idToken), ...change }
  return new jose.SignJWT(payload).setProtectedHeader({ ...header, alg: 'RS256', kid: KID }).sign(privateKey)
}

/** @param {string} idToken @param {string} mode */
async function tamperIdToken(idToken, mode) {
  const now = Math.floor(Date.now() / 1000)
  switch (mode) {
    case 'bad_signature': {
      const [h, p, s] = idToken.split('.')
      const sig = Buffer.from(s, 'base64url')
      sig[0] ^= 0x01 // the first byte, well clear of the last character's padding bits
      return `${h}.${p}.${sig.toString('base64url')}`
    }
    case 'wrong_aud':
      return resign(idToken, { aud: 'someone-else' })
    case 'expired':
      return resign(idToken, { exp: now - 3600, iat: now - 7200 })
    case 'wrong_nonce':
      return resign(idToken, { nonce: 'not-the-nonce' })
    case 'wrong_issuer':
      return resign(idToken, { iss: 'http://evil.example' })
    default:
      return idToken
  }
}

/** @param {import('node:http').IncomingMessage} req */
async function readBody(req) {
  /** @type {Buffer[]} */
  const chunks = []
  for await (const chunk of req) chunks.push(chunk)
  return Buffer.concat(chunks).toString('utf8')
}

const SESSION_COOKIE = /^idp_session(\.sig)?$/

// The test routes and the token rewrite; provider.use() puts this before the OIDC routes.
provider.use(async (/** @type {KoaContext} */ ctx, /** @type {Next} */ next) => {
  // Without sso, the provider never sees its session cookie: every authorization is a fresh sign-in.
  const cookie = ctx.req.headers.cookie
  if (!config.sso && typeof cookie === 'string') {
    ctx.req.headers.cookie = cookie
      .split(';')
      .filter((c) => !SESSION_COOKIE.test(c.split('=')[0].trim()))
      .join(';')
  }
  if (ctx.path === '/__health' && ctx.method === 'GET') {
    ctx.type = 'text/plain'
    ctx.body = 'ok'
    return
  }
  if (ctx.path === '/__tamper' && ctx.method === 'POST') {
    /** @type {unknown} */
    let mode
    try {
      mode = JSON.parse(await readBody(ctx.req)).mode
    } catch {
      mode = undefined
    }
    if (typeof mode !== 'string' || !TAMPER_MODES.has(mode)) {
      ctx.status = 400
      ctx.body = { error: `want {"mode": one of ${[...TAMPER_MODES].join(', ')}}` }
      return
    }
    tamper = mode
    log(`tamper: next /token answer -> ${mode}`)
    ctx.status = 204
    return
  }

  if (!(ctx.path === '/token' && ctx.method === 'POST') || tamper === 'none') {
    await next()
    return
  }

  const mode = tamper
  tamper = 'none'
  log(`tamper: applying ${mode} to this /token request`)

  if (mode === 'hang') {
    await new Promise((resolve) => setTimeout(resolve, 5 * 60 * 1000))
    ctx.respond = false
    ctx.req.socket.destroy()
    return
  }

  await next()

  if (mode === 'garbage') {
    ctx.body = 'this is not json' // the body first: Koa keeps a content-type that is already set
    ctx.type = 'text/plain'
    ctx.status = 200
    return
  }
  if (ctx.status === 200 && typeof ctx.body?.id_token === 'string') {
    ctx.body = { ...ctx.body, id_token: await tamperIdToken(ctx.body.id_token, mode) }
  } else {
    log(`tamper: /token answered ${ctx.status} without an id_token; ${mode} not applied`)
  }
})

// ------------------------------------------------------------------------------------- start

server.removeAllListeners('request')
server.on('request', provider.callback())
process.stdout.write(`${JSON.stringify({ issuer })}\n`)
log(`listening; discovery at ${issuer}/.well-known/openid-configuration`)

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
    console.error(`[oidc-idp] bad config argument: ${err instanceof Error ? err.message : err}`)
    process.exit(2)
  }
}
