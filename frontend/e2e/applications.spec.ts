import { expect, test, type Page } from './support/test.ts'
import { developerWithInstance, signIn, signUpWithInstance } from './support/signup.ts'

// Screenshots go to test-results/ (E2E_SHOTS elsewhere, e.g. a directory under /tmp).
const shots = process.env.E2E_SHOTS ?? 'test-results'

// Long pages are shot at viewport size: the AppShell's fixed header and navbar do not survive
// Playwright's full-page stitching.
async function shot(page: Page, name: string, fullPage = true) {
  await page.screenshot({ path: `${shots}/${name}.png`, fullPage })
}

/** The client-credentials grant through the real public API; returns the HTTP status. */
async function tokenStatus(baseURL: string, slug: string, clientId: string, secret: string): Promise<number> {
  const response = await fetch(`${baseURL}/public/v1/${slug}/oauth/token`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  })
  return response.status
}

/** Reads the one-time secret from the secret modal, then confirms it was copied. */
async function readSecretOnce(page: Page): Promise<{ clientId: string; secret: string }> {
  const modal = page.getByRole('dialog')
  await expect(modal.getByText('Copy it now: it will not be shown again')).toBeVisible()
  const secret = (await modal.getByTestId('client-secret').textContent())?.trim() ?? ''
  const clientId = (await modal.getByTestId('client-id').textContent())?.trim() ?? ''
  // The modal cannot be dismissed with Escape: only the confirmation closes it.
  await page.keyboard.press('Escape')
  await expect(modal.getByTestId('client-secret')).toBeVisible()
  return { clientId, secret }
}

test('applications: back-end secret shown once and rotated, front-end origins', async ({ page, baseURL }) => {
  const stamp = Date.now().toString(36)
  const slug = `apps-${stamp}`
  const base = baseURL ?? ''

  // Sign up and create an instance.
  await signUpWithInstance(page, { name: 'Grace Hopper', email: `grace-${stamp}@example.com`, instanceName: 'Apps test', slug })

  // The Applications area, from the navigation.
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Applications' }).click()
  await expect(page).toHaveURL(new RegExp(`/i/${slug}/applications$`))
  await expect(page.getByRole('heading', { name: 'Applications', exact: true })).toBeVisible()
  await expect(page.getByText('No applications yet')).toBeVisible()
  await expect(page.getByRole('cell', { name: 'Active', exact: true })).toBeVisible()
  await shot(page, '10-applications-empty')

  // Create a back-end app: its secret is shown once.
  await page.getByRole('button', { name: 'New application' }).first().click()
  const create = page.getByRole('dialog', { name: 'New application' })
  await create.getByRole('radio', { name: 'Back-end' }).click()
  await expect(create.getByRole('group', { name: 'Allowed origins' })).toHaveCount(0)
  await create.getByRole('textbox', { name: 'Name' }).fill('Billing service')
  await create.getByRole('textbox', { name: 'Description' }).fill('Creates users from the billing system')
  await shot(page, '11-create-backend')
  await create.getByRole('button', { name: 'Create application' }).click()

  const first = await readSecretOnce(page)
  expect(first.secret).toMatch(/^stw_cs_/)
  expect(first.clientId).toMatch(/^app_/)
  await shot(page, '12-secret-once')
  await page.getByRole('button', { name: 'I have copied it' }).click()
  await expect(page.getByRole('dialog')).toHaveCount(0)

  // The secret works against the real public API.
  expect(await tokenStatus(base, slug, first.clientId, first.secret)).toBe(200)

  // The app's page: settings, secret hint, quickstart.
  await expect(page).toHaveURL(new RegExp(`/i/${slug}/applications/[0-9a-f-]+$`))
  await expect(page.getByRole('heading', { name: 'Billing service' })).toBeVisible()
  await expect(page.getByText(`••••${first.secret.slice(-4)}`)).toBeVisible()
  await expect(page.getByLabel('.env snippet', { exact: true })).toContainText(`STEWARD_CLIENT_ID=${first.clientId}`)
  await page.getByRole('tab', { name: 'curl' }).click()
  await expect(page.getByLabel('curl snippet', { exact: true })).toContainText('grant_type=client_credentials')
  await expect(page.getByRole('link', { name: /OpenAPI document/ })).toHaveAttribute('href', /openapi\.json$/)
  await shot(page, '13-backend-detail', false)
  // Verifying the instance's tokens: the discovery URL and snippets for Node (jose) and Python (PyJWT).
  const verify = page.getByRole('region', { name: 'Verify tokens' })
  await expect(verify.getByTestId('discovery-url')).toHaveText(`${base}/public/v1/${slug}/.well-known/openid-configuration`)
  await expect(verify.getByLabel('Node verification snippet', { exact: true })).toContainText('jwtVerify(token, jwks')
  await verify.getByRole('tab', { name: 'Python (PyJWT)' }).click()
  await expect(verify.getByLabel('Python verification snippet', { exact: true })).toContainText(`jwt.PyJWKClient('${base}/public/v1/${slug}/.well-known/jwks.json')`)
  await verify.scrollIntoViewIfNeeded()
  await verify.screenshot({ path: `${shots}/13b-verify-tokens.png` })

  // Rotate the secret without a grace period: the old one stops at once.
  await page.getByRole('button', { name: 'Rotate secret' }).click()
  const confirm = page.getByRole('dialog', { name: 'Rotate the client secret' })
  await expect(confirm.getByText('The current secret stops working immediately.')).toBeVisible()
  await shot(page, '14-rotate-confirm', false)
  await confirm.getByRole('button', { name: 'Rotate secret' }).click()
  const second = await readSecretOnce(page)
  expect(second.secret).toMatch(/^stw_cs_/)
  expect(second.secret).not.toBe(first.secret)
  expect(second.clientId).toBe(first.clientId)
  await page.getByRole('button', { name: 'I have copied it' }).click()
  await expect(page.getByRole('dialog')).toHaveCount(0)
  await expect(page.getByText(`••••${second.secret.slice(-4)}`)).toBeVisible()

  expect(await tokenStatus(base, slug, first.clientId, first.secret)).toBe(401)
  expect(await tokenStatus(base, slug, second.clientId, second.secret)).toBe(200)

  // After a reload no secret is anywhere on the page.
  await page.reload()
  await expect(page.getByRole('heading', { name: 'Billing service' })).toBeVisible()
  await expect(page.getByText(`••••${second.secret.slice(-4)}`)).toBeVisible()
  const html = await page.content()
  expect(html).not.toContain(first.secret)
  expect(html).not.toContain(second.secret)
  await expect(page.locator('body')).not.toContainText('stw_cs_')

  // A front-end app with an origin; a bad second origin is flagged beside its row.
  await page.getByRole('link', { name: 'Applications' }).first().click()
  await expect(page.getByRole('link', { name: 'Billing service' })).toBeVisible()
  await page.getByRole('button', { name: 'New application' }).click()
  const createWeb = page.getByRole('dialog', { name: 'New application' })
  await expect(createWeb.getByRole('radio', { name: 'Front-end' })).toBeChecked()
  await createWeb.getByRole('textbox', { name: 'Name' }).fill('Web shop')
  await createWeb.getByRole('textbox', { name: 'Origin 1' }).fill('https://shop.example.com')
  await createWeb.getByRole('button', { name: 'Add origin' }).click()
  await createWeb.getByRole('textbox', { name: 'Origin 2' }).fill('http://shop.example.com')
  await createWeb.getByRole('button', { name: 'Create application' }).click()
  const origin2 = createWeb.getByRole('textbox', { name: 'Origin 2' })
  await expect(origin2).toHaveAttribute('aria-invalid', 'true')
  await expect(origin2).toHaveAccessibleDescription(/https/)
  await expect(createWeb.getByRole('textbox', { name: 'Origin 1' })).not.toHaveAttribute('aria-invalid', 'true')
  await shot(page, '15-create-frontend-error')
  await createWeb.getByRole('button', { name: 'Remove origin 2' }).click()
  await createWeb.getByRole('button', { name: 'Create application' }).click()

  // Front-end apps have no secret: straight to their page.
  await expect(page.getByRole('heading', { name: 'Web shop' })).toBeVisible()
  await expect(page.getByRole('textbox', { name: 'Origin 1' })).toHaveValue('https://shop.example.com')
  await expect(page.getByRole('heading', { name: 'Client secret' })).toHaveCount(0)
  await shot(page, '16-frontend-detail', false)

  // The list shows both, with the front-end app's origin.
  await page.getByRole('link', { name: 'Applications' }).first().click()
  const webRow = page.getByRole('row').filter({ hasText: 'Web shop' })
  await expect(webRow).toContainText('https://shop.example.com')
  await expect(webRow).toContainText('Front-end')
  await expect(page.getByRole('row').filter({ hasText: 'Billing service' })).toContainText('Back-end')

  // Rotate the signing key (the owner may): the old key is retired, still published.
  await page.getByRole('button', { name: 'Rotate signing key' }).click()
  const rotateKey = page.getByRole('dialog', { name: 'Rotate the signing key' })
  await expect(rotateKey).toContainText('stay valid until they expire')
  await rotateKey.getByRole('button', { name: 'Rotate key' }).click()
  await expect(page.getByRole('dialog')).toHaveCount(0)
  await expect(page.getByRole('cell', { name: 'Retired', exact: true })).toBeVisible()
  await expect(page.getByRole('cell', { name: 'Active', exact: true })).toBeVisible()
  await shot(page, '17-applications-list')
})

test('signing algorithm: switched to RS256 in the console, the new key signs and is published', async ({ page, baseURL }) => {
  const base = baseURL ?? ''
  const stamp = Date.now().toString(36)
  const slug = `alg-${stamp}`
  const email = `rosa-${stamp}@example.com`
  await developerWithInstance(base, { name: 'Rosa RSA', email, instanceName: 'Algorithms test', slug })
  await signIn(page, email)
  await page.goto(`/i/${slug}/applications`)

  // An instance starts on EdDSA.
  const card = page.getByRole('region', { name: 'Signing keys' })
  const chooser = card.getByRole('combobox', { name: 'Signing algorithm' })
  await expect(chooser).toHaveValue('EdDSA (Ed25519)')
  await expect(chooser).toHaveAccessibleDescription(/jsonwebtoken and \.NET cannot verify them/)
  const keys = card.getByRole('table', { name: 'Signing keys' })
  await expect(keys.getByRole('row')).toHaveCount(2)
  await expect(keys.getByRole('row').nth(1)).toContainText('EdDSA')

  // Switch to RS256, after a confirmation that says what happens to tokens already issued.
  await chooser.click()
  await page.getByRole('option', { name: 'RS256 (RSA, SHA-256)' }).click()
  const confirm = page.getByRole('dialog', { name: 'Change the signing algorithm' })
  await expect(confirm).toContainText('From now on, a new RS256 key signs the instance’s access tokens')
  await expect(confirm).toContainText('Tokens already issued stay valid until they expire')
  await expect(confirm).toHaveCSS('opacity', '1')
  await shot(page, '18-signing-algorithm-confirm', false)
  await confirm.getByRole('button', { name: 'Switch to RS256' }).click()
  await expect(page.getByRole('dialog')).toHaveCount(0)

  // The list: a new active RS256 key, the EdDSA one retired but still published.
  await expect(chooser).toHaveValue('RS256 (RSA, SHA-256)')
  const active = keys.getByRole('row').filter({ has: page.getByRole('cell', { name: 'Active', exact: true }) })
  const retired = keys.getByRole('row').filter({ has: page.getByRole('cell', { name: 'Retired', exact: true }) })
  await expect(active).toContainText('RS256')
  await expect(retired).toContainText('EdDSA')
  await expect(card).toContainText('with its active key (RS256)')
  await card.scrollIntoViewIfNeeded()
  await card.screenshot({ path: `${shots}/19-signing-keys-card.png` })

  // The instance's JWKS publishes both: the RSA key for new tokens, the EdDSA one for those already out.
  const jwks = (await (await fetch(`${base}/public/v1/${slug}/.well-known/jwks.json`)).json()) as { keys: { kid: string; alg: string; kty: string }[] }
  const activeKid = (await active.getByRole('cell').first().textContent())?.trim()
  expect(jwks.keys.find((k) => k.kid === activeKid)).toMatchObject({ alg: 'RS256', kty: 'RSA' })
  expect(jwks.keys.map((k) => k.alg).toSorted()).toEqual(['EdDSA', 'RS256'])
})
