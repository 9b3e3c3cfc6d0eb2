/**
 * Management clients: an admin creates one in the console with `users:read`, copies its secret from
 * the dialog that shows it once, and a machine (this test, with Node's fetch) gets a token with it
 * and calls the instance's console API: reading users works, creating one is refused for the
 * missing scope. Deleted in the console, the client's token is refused at once.
 */
import { call } from './support/api.ts'
import { developerWithInstance, signIn } from './support/signup.ts'
import { expect, test, type Page } from './support/test.ts'

// Screenshots go to test-results/ (E2E_SHOTS elsewhere, e.g. a directory under /tmp).
const shots = process.env.E2E_SHOTS ?? 'test-results'

async function shot(page: Page, name: string, fullPage = false) {
  await page.screenshot({ path: `${shots}/${name}.png`, fullPage })
}

/** The client-credentials grant at the console's token endpoint, as a machine makes it. */
async function token(base: string, clientId: string, secret: string, scope?: string) {
  const response = await fetch(`${base}/api/v1/oauth/token`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(scope ? { grant_type: 'client_credentials', scope } : { grant_type: 'client_credentials' }),
  })
  const text = await response.text()
  return { status: response.status, json: text ? JSON.parse(text) : null }
}

test('management clients: created in the console, a machine calls the API within its scopes, deleted it is refused', async ({ page, baseURL }) => {
  const base = baseURL ?? ''
  const stamp = Date.now().toString(36)
  const slug = `mgmt-${stamp}`
  const email = `mia-${stamp}@example.com`
  const consoleToken = await developerWithInstance(base, { name: 'Mia Machine', email, instanceName: 'Machines test', slug })
  await signIn(page, email)

  // From the instance settings to the management clients.
  await page.goto(`/i/${slug}/settings`)
  await page.getByRole('link', { name: 'Open management clients' }).click()
  await expect(page).toHaveURL(new RegExp(`/i/${slug}/settings/management-clients$`))
  await expect(page.getByRole('heading', { level: 1, name: 'Management clients' })).toBeVisible()
  await expect(page).toHaveTitle('Management clients · Machines test · Steward')
  await expect(page.getByText('No management clients yet')).toBeVisible()
  await expect(page.getByTestId('token-endpoint')).toHaveText(`${base}/api/v1/oauth/token`)
  await expect(page.getByLabel('token request', { exact: true })).toHaveText(`curl -u CLIENT_ID:SECRET -d grant_type=client_credentials ${base}/api/v1/oauth/token`)
  await shot(page, 'mgmt-01-empty', true)

  // Create a client that may read users, and nothing else.
  await page.getByRole('button', { name: 'New management client' }).first().click()
  const create = page.getByRole('dialog', { name: 'New management client' })
  await create.getByRole('textbox', { name: 'Name' }).fill('User sync')
  await create.getByRole('textbox', { name: 'Description' }).fill('Copies users to the CRM every night')
  await expect(create.getByRole('group', { name: 'Users' }).getByRole('checkbox')).toHaveCount(2)
  await expect(create.getByRole('group', { name: 'Audit log' }).getByRole('checkbox')).toHaveCount(1)
  await shot(page, 'mgmt-02-create-top', false)
  // No scope yet: the form says so, beside the scopes.
  await create.getByRole('button', { name: 'Create client' }).click()
  await expect(create.getByRole('group', { name: 'Scopes' })).toHaveAccessibleDescription(/Choose at least one scope/)
  await create.getByRole('checkbox', { name: 'users:read' }).check()
  await expect(create.getByRole('checkbox', { name: 'users:read' })).toBeChecked()
  // It expires in a year, at the start of that day in the instance's time zone (UTC here).
  const day = new Date(Date.now() + 365 * 24 * 3600 * 1000).toISOString().slice(0, 10)
  await create.getByRole('checkbox', { name: /Set an expiry date/ }).check()
  await create.getByLabel('Expires on').fill(day)
  await expect(create.getByLabel('Expires on')).toHaveAccessibleDescription(/^Stops working at /)
  await shot(page, 'mgmt-02-create', false)
  await create.getByRole('button', { name: 'Create client' }).click()

  // The secret, once, with a ready token request.
  const secretDialog = page.getByRole('dialog', { name: 'Client secret of “User sync”' })
  await expect(secretDialog.getByText('Copy it now: it will not be shown again')).toBeVisible()
  const clientId = (await secretDialog.getByTestId('client-id').textContent())?.trim() ?? ''
  const secret = (await secretDialog.getByTestId('client-secret').textContent())?.trim() ?? ''
  expect(clientId).toMatch(/^mgmt_/)
  expect(secret.length).toBeGreaterThan(20)
  await expect(secretDialog.getByLabel('token request', { exact: true })).toHaveText(
    `curl -u ${clientId}:${secret} -d grant_type=client_credentials ${base}/api/v1/oauth/token`,
  )
  await shot(page, 'mgmt-03-secret-once', false)
  await page.keyboard.press('Escape')
  await expect(secretDialog.getByTestId('client-secret')).toBeVisible()
  await secretDialog.getByRole('button', { name: 'I have copied it' }).click()
  await expect(page.getByRole('dialog')).toHaveCount(0)

  // The client's page.
  await expect(page).toHaveURL(new RegExp(`/i/${slug}/settings/management-clients/[0-9a-f-]+$`))
  await expect(page.getByRole('heading', { level: 1, name: 'User sync' })).toBeVisible()
  await expect(page.getByText(`••••${secret.slice(-4)}`)).toBeVisible()
  await expect(page.getByRole('checkbox', { name: 'users:read' })).toBeChecked()
  await expect(page.getByRole('checkbox', { name: 'users:write' })).not.toBeChecked()
  await expect(page.getByLabel('Expires on')).toHaveValue(day)
  expect(await page.content()).not.toContain(secret)

  // A machine: a token for the client's scopes, the users it may read, a user it may not create.
  const granted = await token(base, clientId, secret)
  expect(granted.status, JSON.stringify(granted.json)).toBe(200)
  expect(granted.json.scope).toBe('users:read')
  const bearer = { authorization: `Bearer ${granted.json.access_token}` }
  const users = await call(base, 'GET', `/api/v1/instances/${slug}/users`, undefined, bearer)
  expect(users.status, JSON.stringify(users.json)).toBe(200)
  expect(users.json.items).toEqual([])
  const refused = await call(base, 'POST', `/api/v1/instances/${slug}/users`, { email: `ada-${stamp}@example.com` }, bearer)
  expect(refused.status, JSON.stringify(refused.json)).toBe(403)
  expect(refused.json.code).toBe('insufficient_scope')
  // A wrong secret gets no token.
  expect((await token(base, clientId, `${secret}x`)).status).toBe(401)

  // Another client, made through the API, with more scopes.
  const other = await call(
    base,
    'POST',
    `/api/v1/instances/${slug}/management-clients`,
    { name: 'Nightly export', scopes: ['users:read', 'audit_log:read', 'emails:read', 'applications:write'] },
    { authorization: `Bearer ${consoleToken}` },
  )
  expect(other.status, JSON.stringify(other.json)).toBe(201)

  // The list shows it, used just now.
  await page.reload()
  await expect(page.getByText('Last used', { exact: false })).toBeVisible()
  await shot(page, 'mgmt-04-detail', true)
  await page.getByRole('link', { name: 'Management clients' }).first().click()
  const row = page.getByRole('row').filter({ hasText: 'User sync' })
  await expect(row).toContainText(clientId)
  await expect(row.getByRole('listitem')).toHaveText(['users:read'])
  await expect(row).toContainText('just now')
  await expect(row).toContainText(new Date(`${day}T00:00:00Z`).getUTCFullYear().toString())
  await expect(page.getByRole('row').filter({ hasText: 'Nightly export' }).getByRole('listitem')).toHaveText([
    'applications:write',
    'users:read',
    'emails:read',
    'audit_log:read',
  ])
  await expect(row.getByRole('button', { name: 'Copy client id of User sync' })).toBeVisible()
  await shot(page, 'mgmt-05-list', true)

  // Delete it in the console: its token stops working at once.
  await row.getByRole('link', { name: 'User sync' }).click()
  await page.getByRole('button', { name: 'Delete client' }).click()
  const confirm = page.getByRole('dialog', { name: 'Delete management client' })
  await expect(confirm).toContainText(clientId)
  await confirm.getByRole('button', { name: 'Delete permanently' }).click()
  await expect(page).toHaveURL(new RegExp(`/i/${slug}/settings/management-clients$`))
  await expect(page.getByRole('link', { name: 'Nightly export' })).toBeVisible()
  await expect(page.getByRole('link', { name: 'User sync' })).toHaveCount(0)
  const after = await call(base, 'GET', `/api/v1/instances/${slug}/users`, undefined, bearer)
  expect(after.status, JSON.stringify(after.json)).toBe(401)
  expect((await token(base, clientId, secret)).status).toBe(401)
})

