import { expect, test, type Page } from './support/test.ts'
import { signUpWithInstance } from './support/signup.ts'

const shots = 'test-results'

// Shot at viewport size: the AppShell's fixed header and navbar do not survive full-page stitching.
async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${shots}/${name}.png` })
}

test('emails: the verification email of a new user, delivered and read in the mailbox', async ({ page, context, baseURL }) => {
  const stamp = Date.now().toString(36)
  const slug = `mail-${stamp}`
  const base = baseURL ?? ''
  const reader = `reader-${stamp}@example.com`

  // Sign up and create an instance.
  await signUpWithInstance(page, { name: 'Margaret Hamilton', email: `margaret-${stamp}@example.com`, instanceName: 'Mail test', slug })

  // A front-end application, created in the console: its client id identifies the public calls.
  const nav = page.getByRole('navigation', { name: 'Console' })
  await nav.getByRole('link', { name: 'Applications' }).click()
  await page.getByRole('button', { name: 'New application' }).first().click()
  const create = page.getByRole('dialog', { name: 'New application' })
  await create.getByRole('textbox', { name: 'Name' }).fill('Reader app')
  await create.getByRole('textbox', { name: 'Origin 1' }).fill('https://reader.example.com')
  await create.getByRole('button', { name: 'Create application' }).click()
  await expect(page.getByRole('heading', { name: 'Reader app' })).toBeVisible()
  const clientId = (await page.locator('main').innerText()).match(/app_[A-Za-z0-9_-]{8,}/)?.[0] ?? ''
  expect(clientId).not.toBe('')

  // An end user registers through the public API: Steward queues a verification email.
  const registered = await fetch(`${base}/public/v1/${slug}/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-client-id': clientId },
    body: JSON.stringify({ email: reader, password: 'correct horse battery', name: 'Reader' }),
  })
  expect(registered.status).toBe(202)

  // Delivery: the email is sent (the page refreshes itself while it is queued).
  await nav.getByRole('link', { name: 'Emails' }).click()
  await expect(page).toHaveURL(new RegExp(`/i/${slug}/emails$`))
  await expect(page.getByRole('heading', { name: 'Emails', exact: true })).toBeVisible()
  const row = page.getByRole('row').filter({ hasText: reader })
  await expect(row).toContainText('Email verification')
  await expect(row).toContainText('Verify your email for Mail test')
  await expect(row.getByText('Sent', { exact: true })).toBeVisible({ timeout: 15_000 })
  // No SMTP server anywhere: the local mailbox took it.
  await expect(row.getByText('Local mailbox')).toBeVisible()
  await expect(page.getByText('Showing 1 of 1')).toBeVisible()
  // The owner may retry, but only failed emails offer it.
  await expect(row.getByRole('button', { name: /Retry/ })).toHaveCount(0)
  await shot(page, '20-emails-delivery')

  // The status filter goes through the API (and into the URL).
  await page.getByText('Failed', { exact: true }).click()
  await expect(page).toHaveURL(/status=failed/)
  await expect(page.getByText('No emails with this status')).toBeVisible()
  await page.getByText('All', { exact: true }).click()
  await expect(row).toBeVisible()

  // Mailbox: the captured message, rendered in a sandboxed frame.
  await page.getByRole('tab', { name: 'Mailbox' }).click()
  await expect(page).toHaveURL(/tab=mailbox/)
  await expect(page.getByText('When no SMTP server is configured')).toBeVisible()
  await page.getByRole('searchbox', { name: 'To' }).fill(reader)
  // The filter applies once typing pauses: wait for it, or the click may be undone by it.
  await expect(page).toHaveURL(/[?&]to=reader-/)
  await page.getByRole('button', { name: /Verify your email for Mail test/ }).click()
  const article = page.getByRole('article', { name: 'Message: Verify your email for Mail test' })
  await expect(article.getByRole('heading', { name: 'Verify your email for Mail test' })).toBeVisible()
  await expect(article).toContainText(reader)
  const iframe = article.locator('iframe')
  // No scripts, forms or same-origin access: only popups, so that its links open in a new tab.
  await expect(iframe).toHaveAttribute('sandbox', 'allow-popups allow-popups-to-escape-sandbox')
  const body = page.frameLocator('iframe[title^="HTML body of"]')
  await expect(body.getByText('Hello Reader,')).toBeVisible()
  const link = body.getByRole('link', { name: 'Verify email' })
  await expect(link).toHaveAttribute('href', new RegExp(`/account/verify-email\\?instance=${slug}&token=`))
  await expect(link).toHaveAttribute('target', '_blank')
  // Let the earlier toasts go: they would hide the message in the screenshot.
  await expect(page.getByText('Application “Reader app” created')).toHaveCount(0, { timeout: 15_000 })
  await shot(page, '21-emails-mailbox-html')

  // The link opens in a new tab (the frame never navigates, nor the console): there, the end
  // user's page verifies the address; the console stays on the message.
  const mailboxUrl = page.url()
  const [opened] = await Promise.all([context.waitForEvent('page'), link.click()])
  await expect(opened).toHaveURL(new RegExp(`/account/verify-email\\?instance=${slug}&token=`))
  await expect(opened.getByRole('status')).toContainText(`${reader} is verified`)
  await opened.close()
  expect(page.url()).toBe(mailboxUrl)
  await expect(article.getByRole('heading', { name: 'Verify your email for Mail test' })).toBeVisible()
  await expect(body.getByRole('link', { name: 'Verify email' })).toBeVisible()

  // The plain-text part.
  await article.getByRole('switch', { name: 'Plain text' }).click()
  await expect(iframe).toHaveCount(0)
  await expect(article.getByLabel('Plain text body')).toContainText(`/account/verify-email?instance=${slug}&token=`)
  await shot(page, '22-emails-mailbox-text')

  // A deep link to the message survives a reload.
  await page.reload()
  await expect(page.getByRole('article', { name: 'Message: Verify your email for Mail test' })).toBeVisible()

  // A filter for another address finds nothing.
  await page.getByRole('searchbox', { name: 'To' }).fill(`nobody-${stamp}@example.com`)
  await expect(page.getByText(`No messages to nobody-${stamp}@example.com`)).toBeVisible()
})
