import { expect, test, type Page } from './support/test.ts'
import { developerWithInstance, signUpWithInstance } from './support/signup.ts'

/**
 * What a script on the page can see of the session: every localStorage entry and document.cookie.
 * (Expressions as strings: they run in the page, and this project's e2e code has no DOM types.)
 */
async function visibleToScripts(page: Page) {
  return {
    storage: await page.evaluate<Record<string, string>>('Object.fromEntries(Object.entries(localStorage))'),
    cookie: await page.evaluate<string>('document.cookie'),
  }
}

const legacyToken = (page: Page) => page.evaluate<string | null>("localStorage.getItem('steward.refresh_token')")

test('the session survives racing reloads and a second tab, and its refresh token is out of scripts\' reach', async ({ page, context }) => {
  const stamp = Date.now().toString(36)
  const slug = `sess-${stamp}`

  // The console is served under its Content-Security-Policy (the fixture checks nothing breaks it).
  const response = await page.goto('/signup')
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self'")
  await signUpWithInstance(page, { name: 'Sid', email: `sid-${stamp}@example.com`, instanceName: 'Session test', slug })

  // The refresh token is in an HttpOnly, SameSite=Strict cookie sent to the refresh route only...
  const cookie = (await context.cookies()).find((c) => c.name === 'steward_refresh')
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/v1/auth/refresh' })
  // ...and nowhere a script can read it.
  const seen = await visibleToScripts(page)
  expect(seen.cookie).not.toContain('steward_refresh')
  expect(Object.keys(seen.storage).filter((k) => /refresh|token/i.test(k))).toEqual([])
  expect(Object.values(seen.storage).some((v) => v.includes(cookie?.value ?? '<none>'))).toBe(false)

  // A token an earlier console version left in localStorage is deleted on the next load.
  await page.evaluate("localStorage.setItem('steward.refresh_token', 'left-by-an-old-version')")
  expect(await legacyToken(page)).toBe('left-by-an-old-version')

  // Two reloads in quick succession: the first page's refresh is cut off mid-way. (The second is
  // a navigation to the same address: Chromium refuses a second Page.reload while the first one
  // commits.)
  const refreshing = page.waitForRequest((request) => request.url().endsWith('/api/v1/auth/refresh'))
  const first = page.reload().catch(() => undefined)
  await refreshing
  await page.goto(page.url())
  await first
  await expect(page.getByRole('heading', { name: 'Session test' })).toBeVisible()
  expect(await legacyToken(page)).toBeNull()

  // A second tab and a reload of the first, at once: both stay signed in.
  const second = await context.newPage()
  await Promise.all([second.goto(`/i/${slug}/settings`), page.reload()])
  await expect(second.getByRole('heading', { name: 'Settings' })).toBeVisible()
  await expect(page.getByRole('heading', { name: 'Session test' })).toBeVisible()
  // The first tab's API calls still work (its access token is current).
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Settings' }).click()
  await expect(page.getByText('(you)')).toBeVisible()

  const after = await visibleToScripts(second)
  expect(after.cookie).not.toContain('steward_refresh')
  expect(Object.keys(after.storage).filter((k) => /refresh|token/i.test(k))).toEqual([])

  // Logging out clears the cookie; the other tab follows, and a reload stays signed out.
  await page.getByRole('button', { name: 'Account menu' }).click()
  await page.getByRole('menuitem', { name: 'Log out' }).click()
  await expect(page).toHaveURL(/\/login\?reason=signed-out$/)
  // The other tab was on a page: signing in there again comes back to it.
  await expect(second).toHaveURL(/\/login\?next=%2Fi%2F[^&]+&reason=signed-out-elsewhere$/)
  expect((await context.cookies()).find((c) => c.name === 'steward_refresh')).toBeUndefined()
  await second.reload()
  await expect(second.getByRole('heading', { name: 'Log in' })).toBeVisible()
})

test('signing in from a deep link lands on the page it asked for', async ({ page, baseURL }) => {
  const stamp = Date.now().toString(36)
  const slug = `deep-${stamp}`
  const email = `deep-${stamp}@example.com`
  await developerWithInstance(baseURL ?? '', { name: 'Dee Link', email, instanceName: 'Deep link test', slug })

  // Signed out, a link to the instance's users goes to the login page, which remembers it.
  await page.goto(`/i/${slug}/users?q=ada`)
  await expect(page).toHaveURL(new RegExp(`/login\\?next=${encodeURIComponent(`/i/${slug}/users?q=ada`)}(&|$)`))
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible()
  await page.getByLabel('Email').fill(email)
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill('correct horse battery')
  await page.getByRole('button', { name: 'Log in' }).click()

  // Signed in, on that page, with its filter.
  await expect(page).toHaveURL(new RegExp(`/i/${slug}/users\\?q=ada$`))
  await expect(page.getByRole('heading', { name: 'Users', exact: true })).toBeVisible()
  await expect(page.getByRole('textbox', { name: 'Search' })).toHaveValue('ada')
})
