import { expect, test, type Page } from './support/test.ts'

const shots = 'test-results'

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true })
}

test('sign up, create an instance, edit the profile, log out and back in', async ({ page }) => {
  const stamp = Date.now()
  const email = `ada-${stamp}@example.com`
  const password = 'correct horse battery'

  // Sign up.
  await page.goto('/signup')
  await expect(page.getByRole('heading', { name: 'Create your account' })).toBeVisible()
  await shot(page, '01-signup')
  await page.getByLabel('Name').fill('Ada Lovelace')
  await page.getByLabel('Email').fill(email)
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password)
  await page.getByRole('button', { name: 'Sign up' }).click()

  // The new account is offered its first instance.
  await expect(page.getByRole('heading', { name: 'Create your first instance' })).toBeVisible()
  await page.getByLabel('Name').fill('Production EU')
  await expect(page.getByLabel('Slug')).toHaveValue('production-eu')
  const tz = page.getByRole('combobox', { name: 'Time zone' })
  await tz.click()
  await tz.fill('Athens')
  await page.getByRole('option', { name: 'Europe/Athens' }).click()
  // The picker shows each zone with its offset from UTC now (+02:00 or +03:00 with summer time).
  await expect(tz).toHaveValue(/^Europe\/Athens \(UTC\+0[23]:00\)$/)
  await shot(page, '02-create-instance')
  await page.getByRole('button', { name: 'Create instance' }).click()

  // The instance overview.
  await expect(page).toHaveURL(/\/i\/production-eu$/)
  await expect(page.getByRole('heading', { name: 'Production EU' })).toBeVisible()
  await expect(page.getByText(/^Europe\/Athens \(UTC\+0[23]:00\)$/)).toBeVisible()
  await expect(page.getByText('Owner', { exact: true })).toBeVisible()
  await shot(page, '03-overview')

  // Settings: the owner sees the members (themself) and the danger zone.
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Settings' }).click()
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible()
  await expect(page.getByText('(you)')).toBeVisible()
  await expect(page.getByRole('heading', { name: 'Danger zone' })).toBeVisible()
  await shot(page, '04-settings')

  // A deep link survives a reload (server serves index.html; the refresh token restores the session).
  await page.reload()
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible()

  // Profile: change the name.
  await page.getByRole('button', { name: 'Account menu' }).click()
  await page.getByRole('menuitem', { name: 'Profile' }).click()
  await expect(page.getByRole('heading', { name: 'Your profile' })).toBeVisible()
  const name = page.getByRole('region', { name: 'Profile' }).getByLabel('Name')
  await expect(name).toHaveValue('Ada Lovelace')
  await name.fill('Ada King')
  await page.getByRole('button', { name: 'Save profile' }).click()
  await expect(page.getByText('Profile saved')).toBeVisible()
  await expect(page.getByRole('banner').getByText('Ada King')).toBeVisible()
  await shot(page, '05-profile')

  // Log out.
  await page.getByRole('button', { name: 'Account menu' }).click()
  await page.getByRole('menuitem', { name: 'Log out' }).click()
  await expect(page).toHaveURL(/\/login\?reason=signed-out$/)
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible()

  // A wrong password is refused with the server's message.
  await page.getByLabel('Email').fill(email)
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill('not the password')
  await page.getByRole('button', { name: 'Log in' }).click()
  await expect(page.locator('[role=alert], input[aria-invalid=true]').first()).toBeVisible()
  await shot(page, '06-login-error')

  // Log in again and land on the instance.
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password)
  await page.getByRole('button', { name: 'Log in' }).click()
  await expect(page).toHaveURL(/\/i\/production-eu$/)
  await expect(page.getByRole('heading', { name: 'Production EU' })).toBeVisible()
  await expect(page.getByRole('combobox', { name: 'Current instance' })).toHaveValue('Production EU')
  await expect(page.getByRole('banner').getByText('Ada King')).toBeVisible()
  await shot(page, '07-logged-in-again')

  // On a phone the navigation folds behind the burger.
  await page.setViewportSize({ width: 390, height: 844 })
  await expect(page.getByRole('link', { name: 'Settings' }).first()).toBeVisible()
  await page.getByRole('button', { name: 'Toggle navigation' }).click()
  await expect(page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Settings' })).toBeVisible()
  await shot(page, '09-mobile-navigation')
})

test('signing up twice with one email shows the error', async ({ page }) => {
  const email = `twice-${Date.now()}@example.com`
  for (const attempt of [1, 2]) {
    await page.goto('/signup')
    await page.getByLabel('Name').fill('Twice')
    await page.getByLabel('Email').fill(email)
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill('long enough password')
    await page.getByRole('button', { name: 'Sign up' }).click()
    if (attempt === 1) {
      await expect(page.getByRole('heading', { name: 'Create your first instance' })).toBeVisible()
      await page.getByRole('button', { name: 'Account menu' }).click()
      await page.getByRole('menuitem', { name: 'Log out' }).click()
      await expect(page).toHaveURL(/\/login\?reason=signed-out$/)
    }
  }
  await expect(page.locator('[role=alert], input[aria-invalid=true]').first()).toBeVisible()
  await shot(page, '08-signup-taken')
})
