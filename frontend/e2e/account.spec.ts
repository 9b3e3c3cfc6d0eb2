import { expect, test } from './support/test.ts'
import { accountLinkIn as linkIn, call, mailTo } from './support/api.ts'
import { png } from './support/png.ts'

const PASSWORD = 'correct horse battery'

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
  // A link works once: opened again, it says it was used and offers a new one, which the server
  // refuses for an address already verified.
  await page.reload()
  const used = page.getByRole('status').filter({ hasText: 'This link was already used' })
  await expect(used).toContainText(`${reader} is already verified`)
  await expect(page.getByRole('alert')).toHaveCount(0)
  await page.getByRole('button', { name: 'Send me a new link' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Good news' })).toContainText(`${reader} is already verified`)

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
