import { expect, test } from './support/test.ts'
import { png } from './support/png.ts'

const PASSWORD = 'correct horse battery'

/** JSON call to the server; throws with the body on an unexpected status. */
async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, json: text ? JSON.parse(text) : null }
}

/** The newest captured email to `to` in the instance's mailbox, once delivered. */
async function mailTo(base: string, token: string, slug: string, to: string, subject: RegExp) {
  for (let i = 0; i < 100; i++) {
    const box = await call(base, 'GET', `/api/v1/instances/${slug}/mailbox`, undefined, { authorization: `Bearer ${token}` })
    const found = (box.json.items as { to: string; subject: string; text: string }[]).find((m) => m.to === to && subject.test(m.subject))
    if (found) return found
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`no email to ${to}`)
}

function linkIn(text: string): string {
  const link = text.match(/https?:\/\/\S+\/account\/[a-z-]+\?instance=[^&\s]+&token=[A-Za-z0-9_-]+/)?.[0]
  if (!link) throw new Error(`no account link in: ${text}`)
  return link
}

test('account pages: an end user verifies their email and resets their password from the links, on the instance\'s branded page', async ({ page, baseURL }) => {
  const base = baseURL ?? ''
  const stamp = Date.now().toString(36)
  const slug = `acct-${stamp}`
  const reader = `reader-${stamp}@example.com`

  // A developer, an instance with a logo, and a front-end application (through the API).
  const signup = await call(base, 'POST', '/api/v1/auth/signup', { email: `dev-${stamp}@example.com`, password: PASSWORD, name: 'Dev' })
  expect(signup.status).toBe(201)
  const auth = { authorization: `Bearer ${signup.json.access_token}` }
  expect((await call(base, 'POST', '/api/v1/instances', { slug, name: 'Acme Shop', time_zone: 'UTC' }, auth)).status).toBe(201)
  const logo = await fetch(`${base}/api/v1/instances/${slug}/branding/logo`, { method: 'PUT', headers: { ...auth, 'content-type': 'image/png' }, body: png(240, 120) })
  expect(logo.status).toBe(200)
  const app = await call(base, 'POST', `/api/v1/instances/${slug}/applications`, { kind: 'frontend', name: 'Shop web', allowed_origins: ['https://shop.example.com'] }, auth)
  expect(app.status).toBe(201)
  const client = { 'x-client-id': app.json.client_id as string }

  // Registration sends the verification email; its link opens the verification page.
  expect((await call(base, 'POST', `/public/v1/${slug}/auth/register`, { email: reader, password: PASSWORD, name: 'Reader' }, client)).status).toBe(202)
  const verification = await mailTo(base, signup.json.access_token, slug, reader, /Verify your email/)
  await page.goto(linkIn(verification.text))
  await expect(page.getByRole('heading', { name: 'Email verification' })).toBeVisible()
  await expect(page.getByRole('status')).toContainText(`${reader} is verified`)
  await expect(page.getByRole('img', { name: 'Acme Shop' })).toBeVisible()
  await page.screenshot({ path: 'test-results/30-account-verified.png' })
  // A link works once.
  await page.reload()
  await expect(page.getByRole('alert')).toBeVisible()

  // Forgot password → the reset link → a new password, checked by the form and the server.
  expect((await call(base, 'POST', `/public/v1/${slug}/auth/forgot-password`, { email: reader }, client)).status).toBe(202)
  const reset = await mailTo(base, signup.json.access_token, slug, reader, /Reset your/)
  await page.goto(linkIn(reset.text))
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible()
  await page.getByLabel('New password').fill('short')
  await page.getByLabel('Repeat the password').fill('other')
  await page.getByRole('button', { name: 'Change my password' }).click()
  await expect(page.getByText('At least 8 characters')).toBeVisible()
  await expect(page.getByText('The passwords differ')).toBeVisible()
  await page.getByLabel('New password').fill('a brand new secret')
  await page.getByLabel('Repeat the password').fill('a brand new secret')
  await page.getByRole('button', { name: 'Change my password' }).click()
  await expect(page.getByRole('status')).toContainText('Your password is changed')
  await page.screenshot({ path: 'test-results/31-account-password-changed.png' })

  const login = await call(base, 'POST', `/public/v1/${slug}/auth/login`, { email: reader, password: 'a brand new secret' }, client)
  expect(login.status).toBe(200)

  // A broken link says so.
  await page.goto(`/account/reset-password?instance=${slug}`)
  await expect(page.getByRole('alert')).toContainText('incomplete')
})
