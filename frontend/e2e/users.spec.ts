import { expect, test, type Page } from './support/test.ts'
import { consoleToken, developerWithInstance, signIn, signUpWithInstance } from './support/signup.ts'

const shots = 'test-results'

// Long pages are shot at viewport size: the AppShell's fixed header and navbar do not survive
// Playwright's full-page stitching.
async function shot(page: Page, name: string, fullPage = false) {
  await page.screenshot({ path: `${shots}/${name}.png`, fullPage })
}

test('users: add, filter, edit, block, unblock and delete', async ({ page, baseURL }) => {
  const stamp = Date.now().toString(36)
  const slug = `users-${stamp}`
  const base = baseURL ?? ''
  const email = `grace-${stamp}@example.com`
  const password = 'correct horse battery'

  // Sign up and create an instance.
  await signUpWithInstance(page, { name: 'Grace Hopper', email, password, instanceName: 'Users test', slug })

  // The Users area, from the navigation: empty at first.
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Users' }).click()
  await expect(page).toHaveURL(new RegExp(`/i/${slug}/users$`))
  await expect(page.getByRole('heading', { name: 'Users', exact: true })).toBeVisible()
  await expect(page.getByText('No users yet')).toBeVisible()
  await expect(page.getByTestId('users-total')).toHaveText('0 users')
  await shot(page, '20-users-empty')

  // Add a user with metadata; an invalid JSON is caught before sending.
  await page.getByRole('button', { name: 'Add user' }).first().click()
  const add = page.getByRole('dialog', { name: 'Add user' })
  await add.getByRole('textbox', { name: 'Email' }).fill('ada@example.com')
  await add.getByRole('textbox', { name: 'Given name' }).fill('Ada')
  await add.getByRole('textbox', { name: 'Family name' }).fill('Lovelace')
  await add.getByRole('textbox', { name: 'Password' }).fill('analytical engine')
  await add.getByRole('switch', { name: 'Email verified' }).check()
  const metadata = add.getByRole('textbox', { name: 'Metadata' })
  await metadata.fill('{"plan": pro}')
  await add.getByRole('button', { name: 'Add user' }).click()
  await expect(metadata).toHaveAttribute('aria-invalid', 'true')
  await expect(metadata).toHaveAccessibleDescription(/Not valid JSON/)
  await shot(page, '21-add-user-invalid-metadata')
  await metadata.fill('{"plan":"pro"}')
  await expect(metadata).not.toHaveAttribute('aria-invalid', 'true')
  await add.getByRole('button', { name: 'Add user' }).click()

  // Straight to the new user's page.
  await expect(page).toHaveURL(new RegExp(`/i/${slug}/users/[0-9a-f-]+$`))
  const userId = page.url().split('/').pop() ?? ''
  await expect(page.getByRole('heading', { name: 'Ada Lovelace' })).toBeVisible()
  await expect(page.locator('[data-status="active"]')).toBeVisible()
  await expect(page.getByRole('textbox', { name: 'Metadata' })).toHaveValue(/"plan": "pro"/)
  // Verified and never signed in: no verification email to offer, an empty activity.
  await expect(page.getByRole('heading', { name: 'Activity' })).toBeVisible()
  await expect(page.getByText('No active sessions.')).toBeVisible()
  await expect(page.getByRole('button', { name: 'Send password reset' })).toBeVisible()
  await expect(page.getByRole('button', { name: 'Send verification email' })).toHaveCount(0)
  await shot(page, '22-user-detail')

  // A second user; the same email again is refused beside the email field.
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Users' }).click()
  await expect(page.getByRole('link', { name: 'ada@example.com' })).toBeVisible()
  await page.getByRole('button', { name: 'Add user' }).click()
  const add2 = page.getByRole('dialog', { name: 'Add user' })
  const email2 = add2.getByRole('textbox', { name: 'Email' })
  await email2.fill('ADA@example.com')
  await add2.getByRole('radio', { name: 'No password for now' }).check()
  await add2.getByRole('button', { name: 'Add user' }).click()
  await expect(email2).toHaveAttribute('aria-invalid', 'true')
  await expect(email2).toHaveAccessibleDescription(/already exists/)
  await shot(page, '23-add-user-email-taken')
  await email2.fill('alan@example.com')
  await add2.getByRole('textbox', { name: 'Given name' }).fill('Alan')
  await add2.getByRole('textbox', { name: 'Family name' }).fill('Turing')
  await add2.getByRole('button', { name: 'Add user' }).click()
  await expect(page.getByRole('heading', { name: 'Alan Turing' })).toBeVisible()
  await expect(page.locator('[data-status="unverified"]')).toBeVisible()

  // Both are listed; a text search narrows to one and lands in the URL.
  await page.getByRole('link', { name: 'Users' }).first().click()
  const rows = page.getByRole('region', { name: 'Users list' }).locator('tbody tr')
  await expect(rows).toHaveCount(2)
  await expect(page.getByTestId('users-total')).toHaveText('2 users')
  await shot(page, '24-users-list')
  await page.getByRole('textbox', { name: 'Search' }).fill('lovel')
  await expect(page).toHaveURL(/[?&]q=lovel/)
  await expect(rows).toHaveCount(1)
  await expect(rows.first()).toContainText('ada@example.com')
  await expect(page.getByTestId('users-total')).toHaveText('1 user')
  // A reload keeps the filter.
  await page.reload()
  await expect(page.getByRole('textbox', { name: 'Search' })).toHaveValue('lovel')
  await expect(rows).toHaveCount(1)
  await shot(page, '25-users-filtered')

  // Status filter: nobody is blocked yet.
  await page.getByRole('textbox', { name: 'Search' }).fill('')
  await expect(rows).toHaveCount(2)
  await page.getByRole('combobox', { name: 'Status' }).click()
  await page.getByRole('option', { name: 'Unverified' }).click()
  await expect(page).toHaveURL(/[?&]status=unverified/)
  await expect(rows).toHaveCount(1)
  await expect(rows.first()).toContainText('alan@example.com')
  await page.getByRole('button', { name: 'Clear filters' }).first().click()
  await expect(rows).toHaveCount(2)
  await expect(page).not.toHaveURL(/status=/)

  // Sorting: newest first by default; oldest first after switching the order.
  await expect(rows.first()).toContainText('alan@example.com')
  await page.getByRole('button', { name: 'Switch to ascending order' }).click()
  await expect(page).toHaveURL(/[?&]order=asc/)
  await expect(rows.first()).toContainText('ada@example.com')
  await page.getByRole('combobox', { name: 'Sort by' }).click()
  await page.getByRole('option', { name: 'Email' }).click()
  await expect(page).toHaveURL(/[?&]sort=email/)
  await expect(rows.first()).toContainText('ada@example.com')
  await page.getByRole('button', { name: 'Switch to descending order' }).click()
  await expect(rows.first()).toContainText('alan@example.com')
  await shot(page, '25b-users-sorted')

  // Edit the name.
  await page.getByRole('link', { name: 'ada@example.com' }).click()
  await expect(page.getByRole('heading', { name: 'Ada Lovelace' })).toBeVisible()
  await page.getByRole('textbox', { name: 'Display name' }).fill('Countess Lovelace')
  await page.getByRole('button', { name: 'Save changes' }).click()
  await expect(page.getByRole('heading', { name: 'Countess Lovelace' })).toBeVisible()
  await expect(page.getByRole('button', { name: 'Save changes' })).toBeDisabled()

  // Block, after a confirmation.
  await page.getByRole('button', { name: 'Block user' }).click()
  const block = page.getByRole('dialog', { name: 'Block user' })
  await expect(block).toContainText('ada@example.com')
  await shot(page, '26-block-confirm')
  await block.getByRole('button', { name: 'Block', exact: true }).click()
  await expect(page.getByRole('dialog')).toHaveCount(0)
  await expect(page.locator('[data-status="blocked"]')).toHaveText('Blocked')
  await expect(page.getByRole('button', { name: 'Unblock user' })).toBeVisible()
  await shot(page, '27-user-blocked')

  // The REST API agrees.
  const token = await consoleToken(base, email, password)
  const response = await fetch(`${base}/api/v1/instances/${slug}/users/${userId}`, { headers: { Authorization: `Bearer ${token}` } })
  expect(response.status).toBe(200)
  const dto = (await response.json()) as { blocked: boolean; status: string; name: string; metadata: unknown }
  expect(dto).toMatchObject({ blocked: true, status: 'blocked', name: 'Countess Lovelace', metadata: { plan: 'pro' } })

  // Unblock.
  await page.getByRole('button', { name: 'Unblock user' }).click()
  await page.getByRole('dialog', { name: 'Unblock user' }).getByRole('button', { name: 'Unblock', exact: true }).click()
  await expect(page.getByRole('dialog')).toHaveCount(0)
  await expect(page.locator('[data-status="active"]')).toHaveText('Active')

  // Delete, after a confirmation: gone from the list.
  await page.getByRole('button', { name: 'Delete user' }).click()
  const remove = page.getByRole('dialog', { name: 'Delete user' })
  await expect(remove).toContainText('ada@example.com')
  await remove.getByRole('button', { name: 'Delete permanently' }).click()
  await expect(page).toHaveURL(new RegExp(`/i/${slug}/users$`))
  await expect(rows).toHaveCount(1)
  await expect(page.getByRole('link', { name: 'ada@example.com' })).toHaveCount(0)
  await expect(page.getByRole('link', { name: 'alan@example.com' })).toBeVisible()
  await shot(page, '28-users-after-delete')
})

/** A developer with an instance (made through the API) and the page signed in on its Users page. */
async function usersPage(page: Page, base: string, prefix: string) {
  const stamp = Date.now().toString(36)
  const slug = `${prefix}-${stamp}`
  const email = `dev-${slug}@example.com`
  const token = await developerWithInstance(base, { name: 'Dana Developer', email, instanceName: 'Users more', slug })
  await signIn(page, email)
  await page.goto(`/i/${slug}/users`)
  await expect(page.getByRole('heading', { name: 'Users', exact: true })).toBeVisible()
  return { slug, stamp, token }
}

test('users: an invitation from "Add user", read in the mailbox, accepted from its link', async ({ page, context, baseURL }) => {
  const { slug, stamp } = await usersPage(page, baseURL ?? '', 'invite')
  const invitee = `ivy-${stamp}@example.com`

  await page.getByRole('button', { name: 'Add user' }).first().click()
  const add = page.getByRole('dialog', { name: 'Add user' })
  await add.getByRole('textbox', { name: 'Email' }).fill(invitee)
  await add.getByRole('textbox', { name: 'Given name' }).fill('Ivy')
  await add.getByRole('radio', { name: 'Send an invitation email' }).check()
  // No password to type: the user chooses their own.
  await expect(add.getByRole('textbox', { name: 'Password' })).toHaveCount(0)
  await add.getByRole('button', { name: 'Add user' }).click()
  await expect(page.getByRole('heading', { name: 'Ivy' })).toBeVisible()
  await expect(page.getByText(`an invitation is on its way to ${invitee}`)).toBeVisible()

  // The invitation, captured in the instance's mailbox.
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Emails' }).click()
  await page.getByRole('tab', { name: 'Mailbox' }).click()
  await page.getByRole('searchbox', { name: 'To' }).fill(invitee)
  await expect(page).toHaveURL(/[?&]to=ivy-/)
  await page.getByRole('button', { name: /You are invited to Users more/ }).click()
  const article = page.getByRole('article', { name: 'Message: You are invited to Users more' })
  await expect(article).toContainText(invitee)
  const link = page.frameLocator('iframe[title^="HTML body of"]').getByRole('link', { name: 'Accept the invitation' })
  await expect(link).toHaveAttribute('href', new RegExp(`/account/accept-invitation\\?instance=${slug}&token=`))
  await shot(page, '29-users-invitation-email')

  // Its link opens the end user's page in a new tab; the user chooses a password there.
  const [accept] = await Promise.all([context.waitForEvent('page'), link.click()])
  await expect(accept.getByRole('heading', { name: 'Accept the invitation' })).toBeVisible()
  await expect(accept.getByText(invitee)).toBeVisible()
  await accept.getByRole('textbox', { name: 'New password', exact: true }).fill('a password of my own')
  await accept.getByRole('textbox', { name: 'Repeat the password', exact: true }).fill('a password of my own')
  await accept.getByRole('button', { name: 'Set my password' }).click()
  await expect(accept.getByRole('status')).toContainText('Your account is ready')
  await shot(accept, '29b-users-invitation-accepted')
  await accept.close()
  await expect(article).toBeVisible()
})

test('users: a CSV import with a bad row, checked, fixed and imported', async ({ page, baseURL }) => {
  await usersPage(page, baseURL ?? '', 'import')
  const csv = (name: string, rows: string[]) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(`email,given_name,family_name\n${rows.join('\n')}\n`) })
  const good = ['ada@example.com,Ada,Lovelace', 'grace@example.com,Grace,Hopper', 'alan@example.com,Alan,Turing']

  await page.getByRole('button', { name: 'Import', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Import users' })
  await dialog.getByLabel('CSV file', { exact: true }).setInputFiles(csv('people.csv', [good[0], 'not-an-email,Bad,Row', good[1]]))

  // The preview and the header check, read in the browser...
  const header = dialog.getByRole('region', { name: 'Header check' })
  await expect(header).toContainText('email · imported')
  await expect(header).toContainText('family_name · imported')
  await expect(header).toContainText('Header row OK.')
  await expect(dialog.getByRole('table', { name: 'Preview of the first rows' }).locator('tbody tr')).toHaveCount(3)
  // ...and the server's dry run: the bad row by its line in the file, nobody created.
  const check = dialog.getByRole('region', { name: 'Check result' })
  await expect(check).toContainText('2 rows ready to import')
  const rejected = dialog.getByRole('table', { name: 'Rejected rows' }).locator('tbody tr')
  await expect(rejected).toHaveCount(1)
  await expect(rejected.first().locator('td').first()).toHaveText('3')
  await expect(rejected.first()).toContainText('not-an-email')
  await expect(rejected.first()).toContainText('email')
  await expect(dialog.getByRole('button', { name: 'Import 2 users' })).toBeEnabled()
  await shot(page, '30-users-import-check')

  // The fixed file instead: every row passes; import it.
  await dialog.getByLabel('CSV file', { exact: true }).setInputFiles(csv('people-fixed.csv', good))
  await expect(check).toContainText('3 rows ready to import')
  await expect(check).toContainText('Every row passed the check')
  await expect(dialog.getByRole('table', { name: 'Rejected rows' })).toHaveCount(0)
  await dialog.getByRole('button', { name: 'Import 3 users' }).click()
  const result = dialog.getByRole('region', { name: 'Import result' })
  await expect(result).toContainText('3 users imported')
  await expect(result).toContainText('3 users were created.')
  await shot(page, '31-users-import-result')
  await dialog.getByRole('button', { name: 'Done' }).click()
  await expect(page.getByRole('dialog')).toHaveCount(0)

  const list = page.getByRole('region', { name: 'Users list' })
  await expect(page.getByTestId('users-total')).toHaveText('3 users')
  for (const who of ['ada@example.com', 'grace@example.com', 'alan@example.com']) await expect(list.getByRole('link', { name: who })).toBeVisible()
})

test('users: three users blocked at once, after a confirmation, with a report', async ({ page, baseURL }) => {
  const base = baseURL ?? ''
  const { slug, token } = await usersPage(page, base, 'bulk')
  const emails = ['one@example.com', 'two@example.com', 'three@example.com', 'four@example.com']
  for (const email of emails) {
    const created = await fetch(`${base}/api/v1/instances/${slug}/users`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ email, email_verified: true }),
    })
    expect(created.status).toBe(201)
  }
  await page.reload()
  const list = page.getByRole('region', { name: 'Users list' })
  const row = (email: string) => list.locator('tbody tr').filter({ has: page.getByRole('link', { name: email }) })
  await expect(list.locator('tbody tr')).toHaveCount(4)

  const blocked = emails.slice(0, 3)
  for (const email of blocked) await list.getByRole('checkbox', { name: `Select ${email}` }).check()
  await expect(page.getByTestId('users-selected')).toHaveText('3 users selected')
  await page.getByRole('region', { name: 'Bulk actions' }).getByRole('button', { name: 'Block', exact: true }).click()
  const confirm = page.getByRole('dialog', { name: 'Block users' })
  await expect(confirm).toContainText('Block 3 users?')
  await shot(page, '32-users-bulk-confirm')
  await confirm.getByRole('button', { name: 'Block 3 users' }).click()

  const run = page.getByRole('dialog', { name: /^Block users — / })
  await expect(run).toHaveAccessibleName('Block users — finished')
  const report = run.getByRole('status', { name: 'Result' })
  await expect(report).toContainText('3 done')
  await expect(report).toContainText('0 skipped')
  await expect(report).toContainText('0 failed')
  await shot(page, '33-users-bulk-report')
  await run.getByRole('button', { name: 'Close', exact: true }).click()
  await expect(page.getByRole('dialog')).toHaveCount(0)

  for (const email of blocked) await expect(row(email).locator('[data-status]')).toHaveText('Blocked')
  await expect(row(emails[3]).locator('[data-status]')).toHaveText('Active')
  await expect(page.getByRole('region', { name: 'Bulk actions' })).toHaveCount(0)
})

test('users: leaving an edited user asks first; "Stay" keeps the edits, "Leave" goes', async ({ page, baseURL }) => {
  const base = baseURL ?? ''
  const { slug, token } = await usersPage(page, base, 'guard')
  const created = await fetch(`${base}/api/v1/instances/${slug}/users`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ email: 'edit@example.com', given_name: 'Edith', family_name: 'Clarke' }),
  })
  expect(created.status).toBe(201)
  await page.reload()
  await page.getByRole('link', { name: 'edit@example.com' }).click()
  await expect(page.getByRole('heading', { name: 'Edith Clarke' })).toBeVisible()

  const name = page.getByRole('textbox', { name: 'Display name' })
  await name.fill('Edith C.')
  const usersLink = page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Users' })
  await usersLink.click()
  const guard = page.getByRole('dialog', { name: 'Leave without saving?' })
  await expect(guard).toContainText('The user has unsaved changes; they will be lost.')
  await shot(page, '34-users-leave-guard')
  await guard.getByRole('button', { name: 'Stay' }).click()
  await expect(guard).toHaveCount(0)
  await expect(page).toHaveURL(new RegExp(`/i/${slug}/users/[0-9a-f-]+$`))
  await expect(name).toHaveValue('Edith C.')
  await expect(page.getByRole('button', { name: 'Save changes' })).toBeEnabled()

  await usersLink.click()
  await guard.getByRole('button', { name: 'Leave' }).click()
  await expect(page).toHaveURL(new RegExp(`/i/${slug}/users$`))
  // Nothing was saved.
  await expect(page.getByRole('region', { name: 'Users list' }).locator('tbody tr').first()).toContainText('Edith Clarke')
})
