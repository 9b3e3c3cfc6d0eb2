/**
 * The hosted sign-in page, end to end: a developer adds a real OpenID provider (oidc-idp.mjs, the
 * `oidc-provider` package on loopback) in the console; a small single-page app at
 * https://sample.test (served by route interception) signs people in with the authorization code
 * flow and PKCE (its own verifier, challenge and state, made in the browser), exchanges the code at
 * the token endpoint from the page (CORS) and reads `/me`. Once through the provider (Alice), once
 * with an email and a password (Bob, after a wrong password). The console's user list then shows
 * the account the provider made.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BrowserContext } from '@playwright/test'
import { expectCall } from './support/api.ts'
import { developerWithInstance, signIn } from './support/signup.ts'
import { expect, test, watchCsp, type Page } from './support/test.ts'

// Screenshots go to test-results/ (E2E_SHOTS elsewhere, e.g. a directory under /tmp).
const shots = process.env.E2E_SHOTS ?? 'test-results'

async function shot(page: Page, name: string, fullPage = false) {
  await page.screenshot({ path: `${shots}/${name}.png`, fullPage })
}

// Tall enough for the whole providers list.
test.use({ viewport: { width: 1280, height: 1000 } })

const APP_ORIGIN = 'https://sample.test'
const REDIRECT_URI = `${APP_ORIGIN}/callback`

// ----------------------------------------------------------------------------- the identity provider

interface RunningIdp {
  issuer: string
  stop: () => Promise<void>
}

/** oidc-idp.mjs with one client; resolves once it printed its issuer. */
async function startIdp(client: { client_id: string; client_secret: string; redirect_uris: string[] }): Promise<RunningIdp> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'support', 'oidc-idp.mjs')
  const child: ChildProcess = spawn(process.execPath, [script, JSON.stringify({ port: 0, clients: [client] })], { stdio: ['ignore', 'pipe', 'pipe'] })
  let errors = ''
  child.stderr?.on('data', (d: Buffer) => (errors += d.toString()))
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await exited
    }
  }
  try {
    const issuer = await new Promise<string>((resolve, reject) => {
      let out = ''
      const timer = setTimeout(() => reject(new Error(`oidc-idp.mjs did not start:\n${errors}`)), 15_000)
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString()
        const line = out.split('\n').find((l) => l.startsWith('{'))
        if (line && out.includes('\n')) {
          clearTimeout(timer)
          resolve((JSON.parse(line) as { issuer: string }).issuer)
        }
      })
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`oidc-idp.mjs exited (${code}):\n${errors}`))
      })
    })
    return { issuer, stop }
  } catch (e) {
    await stop()
    throw e
  }
}

// ------------------------------------------------------------------------------ the sample front end

interface SampleConfig {
  /** The hosted authorize URL. */
  authorize: string
  token: string
  me: string
  clientId: string
}

const htmlPage = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><main><h1>Sample app</h1>${body}</main></body></html>`

/**
 * The sample app's two pages. `/`: a "Sign in" button that makes a PKCE verifier and its S256
 * challenge, keeps them with a state in sessionStorage and goes to the hosted page. `/callback`:
 * checks the state, exchanges the code (form-urlencoded, no secret: a front-end app) and shows who
 * `/me` says signed in.
 */
function sampleApp(config: SampleConfig): { index: string; callback: string } {
  const shared = `
    const config = ${JSON.stringify({ ...config, redirectUri: REDIRECT_URI })};
    const b64url = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
    const random = (n) => b64url(crypto.getRandomValues(new Uint8Array(n)));
    const out = document.getElementById('out');
  `
  const index = htmlPage(
    'Sample app',
    `<button id="signin" type="button">Sign in</button><p id="out" role="status"></p>
    <script>${shared}
      document.getElementById('signin').addEventListener('click', async () => {
        const verifier = random(32);
        const state = random(16);
        const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
        sessionStorage.setItem('pkce', JSON.stringify({ verifier, state }));
        const url = new URL(config.authorize);
        url.search = new URLSearchParams({
          response_type: 'code', client_id: config.clientId, redirect_uri: config.redirectUri,
          code_challenge: challenge, code_challenge_method: 'S256', state, nonce: random(16), scope: 'openid email profile',
        }).toString();
        location.assign(url.toString());
      });
    </script>`,
  )
  const callback = htmlPage(
    'Sample app: signing in',
    `<p id="out" role="status">Signing in…</p>
    <script>${shared}
      (async () => {
        const params = new URLSearchParams(location.search);
        const saved = JSON.parse(sessionStorage.getItem('pkce') || 'null');
        sessionStorage.removeItem('pkce');
        if (params.get('error')) throw new Error('Refused: ' + params.get('error') + ': ' + params.get('error_description'));
        if (!saved || params.get('state') !== saved.state) throw new Error('The state does not match');
        if (!params.get('code') || !params.get('iss')) throw new Error('No code or iss');
        document.body.dataset.iss = params.get('iss');
        const token = await fetch(config.token, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'authorization_code', code: params.get('code'), redirect_uri: config.redirectUri,
            code_verifier: saved.verifier, client_id: config.clientId,
          }),
        });
        const tokens = await token.json();
        if (!token.ok) throw new Error('Token refused: ' + JSON.stringify(tokens));
        document.body.dataset.tokens = Object.keys(tokens).sort().join(' ');
        const me = await fetch(config.me, { headers: { Authorization: 'Bearer ' + tokens.access_token } });
        const user = await me.json();
        if (!me.ok) throw new Error('/me refused: ' + JSON.stringify(user));
        out.textContent = 'Signed in as ' + user.email + ' via ' + user.provider;
      })().catch((e) => { out.textContent = 'Failed: ' + e.message; });
    </script>`,
  )
  return { index, callback }
}

/**
 * Serves the sample app at APP_ORIGIN in `context` (before the network: no DNS, no TLS). Chromium
 * counts that origin as public and the server under test as on loopback, so its Local Network
 * Access check would ask the person before the app's calls to the token endpoint and `/me`: granted
 * here, as a real user would (a deployed Steward is not on loopback, and needs no such permission).
 */
async function routeSampleApp(context: BrowserContext, config: SampleConfig): Promise<void> {
  const app = sampleApp(config)
  await context.grantPermissions(['local-network-access'], { origin: APP_ORIGIN })
  // The identity provider's login page asks for a web font: nothing leaves the machine.
  await context.route('https://fonts.googleapis.com/**', (route) => route.fulfill({ status: 200, contentType: 'text/css', body: '' }))
  await context.route(`${APP_ORIGIN}/**`, (route) => {
    const path = new URL(route.request().url()).pathname
    const body = path === '/' ? app.index : path === '/callback' ? app.callback : null
    return route.fulfill(body === null ? { status: 404, body: 'not found' } : { status: 200, contentType: 'text/html; charset=utf-8', body })
  })
}

// ------------------------------------------------------------------------------ the console part

/**
 * In the console: General → Identity providers, add an OpenID Connect provider (off at first),
 * check the callback URL it shows, then turn it on from the list's switch.
 */
async function enableOidcInConsole(
  page: Page,
  p: { slug: string; key: string; displayName: string; discoveryUrl: string; clientId: string; clientSecret: string; callbackUrl: string },
): Promise<void> {
  await page.goto(`/i/${p.slug}/general/providers`)
  await expect(page.getByRole('tab', { name: 'Identity providers' })).toHaveAttribute('aria-selected', 'true')
  const list = page.getByRole('table', { name: 'Identity providers' })
  await expect(list).toBeVisible()
  await shot(page, 'signin-01-providers')

  await page.getByRole('button', { name: 'Add OpenID Connect provider' }).click()
  const dialog = page.getByRole('dialog', { name: 'Add OpenID Connect provider' })
  await dialog.getByRole('textbox', { name: 'Key' }).fill(p.key)
  await dialog.getByRole('textbox', { name: 'Display name' }).fill(p.displayName)
  await dialog.getByRole('textbox', { name: 'Discovery URL' }).fill(p.discoveryUrl)
  await dialog.getByRole('textbox', { name: /^Client id/i }).fill(p.clientId)
  await dialog.getByLabel('Client secret', { exact: true }).fill(p.clientSecret)
  // Added off, then turned on from the list (the switch is what this checks).
  await dialog.getByRole('checkbox', { name: /Enable it now/ }).uncheck()
  await shot(page, 'signin-02-add-provider')
  await dialog.getByRole('button', { name: 'Add provider' }).click()
  await expect(dialog).toHaveCount(0)

  // Added: its settings open with the callback URL to register at the issuer.
  const drawer = page.getByRole('dialog', { name: `Configure ${p.displayName}` })
  await expect(drawer.getByRole('textbox', { name: 'Callback URL' })).toHaveValue(p.callbackUrl)
  await drawer.getByRole('button', { name: 'Close the provider settings' }).click()
  await expect(drawer).toHaveCount(0)

  const row = list.locator(`tr[data-provider="${p.key}"]`)
  const enabled = row.getByRole('switch', { name: `${p.displayName} enabled` })
  await expect(enabled).not.toBeChecked()
  // From the keyboard: the toasts of the add can sit over the switch at the list's foot.
  await enabled.focus()
  await page.keyboard.press('Space')
  await expect(enabled).toBeChecked()
  await expect(page.getByText(`${p.displayName} enabled`, { exact: true })).toBeVisible()
  await expect(row.getByTestId(`status-${p.key}`)).toHaveText(/^On/)
  await shot(page, 'signin-03-provider-enabled')
}

// ------------------------------------------------------------------------------------ the test

test('hosted sign-in: a front-end app signs people in through an OpenID provider and with a password', async ({ page, baseURL, browser }) => {
  const base = baseURL ?? ''
  const stamp = Date.now().toString(36)
  const slug = `signin-${stamp}`
  const instanceName = 'Sign-in test'
  const email = `sam-${stamp}@example.com`
  const token = await developerWithInstance(base, { name: 'Sam Signin', email, instanceName, slug })
  const auth = { authorization: `Bearer ${token}` }
  await signIn(page, email)

  const app = await expectCall(201, base, 'POST', `/api/v1/instances/${slug}/applications`, {
    name: 'Sample',
    kind: 'frontend',
    allowed_origins: [APP_ORIGIN],
    redirect_uris: [REDIRECT_URI],
  }, auth)
  const config: SampleConfig = {
    authorize: `${base}/public/v1/${slug}/oauth/authorize`,
    token: `${base}/public/v1/${slug}/oauth/token`,
    me: `${base}/public/v1/${slug}/me`,
    clientId: app.client_id as string,
  }
  const callbackUrl = `${base}/public/v1/${slug}/oauth/callback/okta`
  const idp = await startIdp({ client_id: 'steward-e2e', client_secret: 'idp-secret-for-steward', redirect_uris: [callbackUrl] })
  try {
    await test.step('the console: add the OpenID provider and turn it on', async () => {
      await enableOidcInConsole(page, {
        slug,
        key: 'okta',
        displayName: 'Okta',
        discoveryUrl: `${idp.issuer}/.well-known/openid-configuration`,
        clientId: 'steward-e2e',
        clientSecret: 'idp-secret-for-steward',
        callbackUrl,
      })
      const providers = await expectCall(200, base, 'GET', `/api/v1/instances/${slug}/identity-providers`, undefined, auth)
      const okta = (providers.items as { key: string; enabled: boolean; callback_url: string }[]).find((p) => p.key === 'okta')
      expect(okta).toMatchObject({ enabled: true, callback_url: callbackUrl })
    })

    await test.step('flow A: the sample app → the hosted page → the provider → back, signed in', async () => {
      await routeSampleApp(page.context(), config)
      await page.goto(`${APP_ORIGIN}/`)
      await page.getByRole('button', { name: 'Sign in' }).click()

      await expect(page.getByRole('heading', { level: 1, name: `Sign in to ${instanceName}` })).toBeVisible()
      expect(page.url()).toContain(`${base}/public/v1/${slug}/oauth/authorize`)
      const okta = page.getByRole('link', { name: /^Continue with okta$/i })
      await expect(okta).toHaveAttribute('data-provider', 'oidc')
      await expect(page.getByLabel('Email')).toBeVisible()
      await expect(page.getByLabel('Password')).toBeVisible()
      await expect(page.getByRole('link', { name: 'Create an account' })).toBeVisible()
      await expect(page.getByRole('link', { name: 'Forgot password?' })).toBeVisible()
      await shot(page, 'signin-04-hosted-page', true)

      await okta.click()
      await expect(page).toHaveURL(new RegExp(`^${idp.issuer.replace(/[.]/g, '\\.')}/interaction/`))
      await page.getByPlaceholder('Enter any login').fill('alice@example.com')
      await page.getByPlaceholder('and password').fill('anything at all')
      await page.getByRole('button', { name: 'Sign-in' }).click()

      await expect(page.getByRole('status')).toHaveText('Signed in as alice@example.com via okta')
      expect(new URL(page.url()).origin).toBe(APP_ORIGIN)
      expect(new URL(page.url()).pathname).toBe('/callback')
      await expect(page.locator('body')).toHaveAttribute('data-iss', new RegExp(`/public/v1/${slug}`))
      await expect(page.locator('body')).toHaveAttribute('data-tokens', /access_token.*id_token.*refresh_token/)
      await shot(page, 'signin-05-signed-in-with-okta')
    })

    await test.step('flow B: a wrong password stays on the page; the right one signs in', async () => {
      await expectCall(201, base, 'POST', `/api/v1/instances/${slug}/users`, { email: 'bob@example.com', password: 'bobs password 1', email_verified: true }, auth)
      const context = await browser.newContext()
      const csp: string[] = []
      watchCsp(context, csp)
      try {
        await routeSampleApp(context, config)
        const fresh = await context.newPage()
        await fresh.goto(`${APP_ORIGIN}/`)
        await fresh.getByRole('button', { name: 'Sign in' }).click()
        const heading = fresh.getByRole('heading', { level: 1, name: `Sign in to ${instanceName}` })
        await expect(heading).toBeVisible()

        await fresh.getByLabel('Email').fill('bob@example.com')
        await fresh.getByLabel('Password').fill('not his password')
        await fresh.getByRole('button', { name: 'Sign in', exact: true }).click()
        await expect(fresh.getByRole('alert')).toHaveText('The email or password is incorrect.')
        await expect(heading).toBeVisible()
        expect(fresh.url()).toContain(`${base}/public/v1/${slug}/oauth/authorize`)
        await shot(fresh, 'signin-06-wrong-password', true)

        await fresh.getByLabel('Email').fill('bob@example.com')
        await fresh.getByLabel('Password').fill('bobs password 1')
        await fresh.getByRole('button', { name: 'Sign in', exact: true }).click()
        // The form's answer is a 303 to the app: Chromium checks that redirect against the page's
        // form-action policy too, so the policy must allow the app's redirect URI.
        await expect(fresh, 'back at the app after the password form (not blocked by form-action)').toHaveURL(/^https:\/\/sample\.test\/callback\?/)
        await expect(fresh.getByRole('status')).toHaveText('Signed in as bob@example.com via password')
        await shot(fresh, 'signin-07-signed-in-with-password')
      } finally {
        await context.close()
      }
      expect(csp, 'Content-Security-Policy violations (flow B)').toEqual([])
    })

    await test.step('the console: the user list shows the account the provider made', async () => {
      await page.goto(`/i/${slug}/users`)
      const alice = page.getByRole('row').filter({ hasText: 'alice@example.com' })
      await expect(alice).toHaveCount(1)
      await expect(alice).toContainText(/okta/i)
      await expect(page.getByRole('row').filter({ hasText: 'bob@example.com' })).toHaveCount(1)
      await shot(page, 'signin-08-users')
    })
  } finally {
    await idp.stop()
  }
})
