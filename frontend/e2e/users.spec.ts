import { expect, test, type Page } from './support/test.ts'
import { consoleToken, signUpWithInstance } from './support/signup.ts'

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
