/**
 * Dashboard and usage: a developer signs up and creates an instance, whose dashboard says how to
 * make a first call (it has none); three calls to the real public API later, the dashboard counts
 * them (metered counts are flushed every half second here: STEWARD_USAGE_FLUSH_MS), with their
 * route among the top routes; Usage & billing shows the Free plan and the calls.
 */
import type { Locator } from '@playwright/test'
import { signUpWithInstance } from './support/signup.ts'
import { expect, test, type Page } from './support/test.ts'

// Screenshots go to test-results/ (E2E_SHOTS elsewhere, e.g. a directory under /tmp).
const shots = process.env.E2E_SHOTS ?? 'test-results'

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${shots}/${name}.png` })
}

/** The number a stat card shows ("1,234" → 1234; NaN while it loads). */
async function statValue(card: Locator): Promise<number> {
  const text = await card.getByTestId('stat-value').textContent({ timeout: 2_000 }).catch(() => null)
  return text ? Number(text.replace(/[^\d]/g, '')) : Number.NaN
}

test('dashboard: a first call, counted; usage & billing on the Free plan', async ({ page, baseURL }) => {
  const base = baseURL ?? ''
  const stamp = Date.now().toString(36)
  const slug = `dash-${stamp}`
  await signUpWithInstance(page, { name: 'Dana Dashboard', email: `dana-${stamp}@example.com`, instanceName: 'Dashboard test', slug })

  // A new instance: the dashboard (its home) says how to make the first call.
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard test' })).toBeVisible()
  await expect(page).toHaveTitle('Dashboard · Dashboard test · Steward')
  await expect(page.getByRole('heading', { name: 'Make your first API call' })).toBeVisible()
  await expect(page.getByLabel('first API call', { exact: true })).toContainText(`/public/v1/${slug}/branding`)
  await expect(page.getByRole('link', { name: 'Create an application' })).toHaveAttribute('href', `/i/${slug}/applications`)
  await shot(page, '90-dashboard-first-call')

  // Three calls to the instance's public API, as the empty state suggests.
  for (let i = 0; i < 3; i++) {
    const response = await fetch(`${base}/public/v1/${slug}/branding`)
    expect(response.status).toBe(200)
  }

  // Counted within seconds: refresh until the API calls card shows them.
  const calls = page.getByRole('group', { name: 'API calls', exact: true })
  const refresh = page.getByRole('button', { name: 'Refresh' })
  await expect
    .poll(
      async () => {
        await refresh.click()
        await expect(refresh).toBeEnabled()
        return statValue(calls)
      },
      { message: 'the API calls card counts the 3 calls', timeout: 20_000 },
    )
    .toBeGreaterThanOrEqual(3)
  await expect(page.getByRole('heading', { name: 'Make your first API call' })).toHaveCount(0)
  await expect(page.getByRole('table', { name: 'Top routes' })).toContainText('branding')
  await expect(page.getByRole('heading', { name: 'Calls and errors' })).toBeVisible()
  await expect(page.locator('.recharts-surface').first()).toBeVisible()
  await shot(page, '91-dashboard-counted')

  // Another frame and granularity: this month, by hour.
  await page.getByRole('radiogroup', { name: 'Time frame' }).getByText('This month', { exact: true }).click()
  await expect(page.getByRole('radio', { name: 'This month' })).toBeChecked()
  await page.getByRole('combobox', { name: 'Granularity' }).click()
  await expect(page.getByRole('option', { name: 'Minute' })).toHaveAttribute('aria-disabled', 'true')
  await page.getByRole('option', { name: 'Hour' }).click()
  await expect(page.getByRole('combobox', { name: 'Granularity' })).toHaveValue('Hour')
  await expect.poll(() => statValue(calls), { timeout: 10_000 }).toBeGreaterThanOrEqual(3)

  // Usage & billing: the Free plan, and the calls.
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Usage & billing' }).click()
  await expect(page).toHaveURL(new RegExp(`/i/${slug}/usage$`))
  await expect(page.getByRole('heading', { level: 1, name: 'Usage & billing' })).toBeVisible()
  await expect(page.getByTestId('current-plan')).toHaveText('Free')
  await expect(page.getByRole('group', { name: 'Free', exact: true }).getByText('Current plan')).toBeVisible()
  await expect
    .poll(
      async () => {
        const usage = page.getByRole('region', { name: 'Usage', exact: true })
        const value = await statValue(usage.getByRole('group', { name: 'API calls', exact: true }))
        if (!(value >= 3)) await page.reload()
        return value
      },
      { message: 'the usage counts the 3 calls', timeout: 20_000 },
    )
    .toBeGreaterThanOrEqual(3)
  // 3 of 100,000 calls: the bar's filled part is too thin to see, but it is there.
  await expect(page.getByRole('progressbar', { name: 'API calls used of the quota' })).toBeAttached()
  await expect(page.getByRole('table', { name: 'Bill to date' })).toBeVisible()
  await shot(page, '92-usage-and-billing')
})
