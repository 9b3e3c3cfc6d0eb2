/**
 * Webhooks: an admin adds an endpoint in the console pointing at a real HTTP receiver inside this
 * test, reads its signing secret from the dialog that shows it once, and sends a test event. The
 * receiver gets a `webhook.test` POST whose Standard Webhooks signature verifies with that secret
 * (Node's crypto, no library), and the console's deliveries log turns it to "Succeeded" on its own.
 * The delivery's details show the payload and the attempt; a resend reaches the receiver again with
 * the same message id; a real event (a user created through the API) arrives too.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { expectCall } from './support/api.ts'
import { developerWithInstance, signIn } from './support/signup.ts'
import { expect, test, type Page } from './support/test.ts'
import { startReceiver } from './support/webhook-receiver.ts'

// Screenshots go to test-results/ (E2E_SHOTS elsewhere, e.g. a directory under /tmp).
const shots = process.env.E2E_SHOTS ?? 'test-results'

async function shot(page: Page, name: string, fullPage = false) {
  await page.screenshot({ path: `${shots}/${name}.png`, fullPage })
}

/**
 * The Standard Webhooks check, by hand: `webhook-signature` holds `v1,<base64>` entries (several
 * during a rotation's grace), each the HMAC-SHA256 of `${id}.${timestamp}.${body}` keyed by the
 * base64-decoded part of the `whsec_` secret.
 */
function signatureVerifies(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const id = String(headers['webhook-id'])
  const timestamp = String(headers['webhook-timestamp'])
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64')
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest()
  return String(headers['webhook-signature'])
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3), 'base64'))
    .some((sig) => sig.length === expected.length && timingSafeEqual(sig, expected))
}

test('webhooks: an endpoint added in the console receives a signed test event, logged as delivered', async ({ page, baseURL }) => {
  test.setTimeout(90_000)
  const base = baseURL ?? ''
  const stamp = Date.now().toString(36)
  const slug = `hooks-${stamp}`
  const email = `hana-${stamp}@example.com`
  const token = await developerWithInstance(base, { name: 'Hana Hooks', email, instanceName: 'Hooks test', slug })
  await signIn(page, email)
  const receiver = await startReceiver()
  try {
    // From the instance settings to the webhooks: none yet, with how to verify them.
    await page.goto(`/i/${slug}/settings`)
    await page.getByRole('link', { name: 'Open webhooks' }).click()
    await expect(page).toHaveURL(new RegExp(`/i/${slug}/settings/webhooks$`))
    await expect(page.getByRole('heading', { level: 1, name: 'Webhooks' })).toBeVisible()
    await expect(page).toHaveTitle('Webhooks · Hooks test · Steward')
    await expect(page.getByText('No webhook endpoints yet')).toBeVisible()
    await expect(page.getByLabel('verification snippet', { exact: true })).toContainText("from 'standardwebhooks'")
    await shot(page, 'webhooks-01-empty', true)

    // Add an endpoint: a URL the server refuses first, its error beside the field.
    await page.getByRole('button', { name: 'Add endpoint' }).first().click()
    const create = page.getByRole('dialog', { name: 'Add webhook endpoint' })
    const url = create.getByRole('textbox', { name: /Endpoint URL/ })
    await url.fill('ftp://example.com/hook')
    await create.getByRole('textbox', { name: 'Description' }).fill('Receiver inside the e2e test')
    await expect(create.getByText('All events, including types added later')).toBeVisible()
    await expect(create.getByRole('checkbox', { name: /webhook\.test/ })).toHaveCount(0)
    await create.getByRole('checkbox', { name: /user\.created/ }).check()
    await create.getByRole('checkbox', { name: /user\.deleted/ }).check()
    await expect(create.getByText('2 of 11 event types')).toBeVisible()
    await create.getByRole('button', { name: 'Add endpoint' }).click()
    await expect(url).toHaveAttribute('aria-invalid', 'true')
    await expect(url).toHaveAccessibleDescription(/http or https/)
    await url.fill(receiver.url)
    await url.scrollIntoViewIfNeeded()
    await shot(page, 'webhooks-02-create')
    await create.getByRole('button', { name: 'Add endpoint' }).click()

    // The signing secret, once.
    const secretDialog = page.getByRole('dialog', { name: /^Signing secret of 127\.0\.0\.1:\d+\/hooks\/steward$/ })
    await expect(secretDialog.getByText('Copy it now: it will not be shown again')).toBeVisible()
    const secret = (await secretDialog.getByTestId('signing-secret').textContent())?.trim() ?? ''
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/)
    await expect(secretDialog).toHaveCSS('opacity', '1')
    await shot(page, 'webhooks-03-secret-once')
    await page.keyboard.press('Escape')
    await expect(secretDialog.getByTestId('signing-secret')).toBeVisible()
    await secretDialog.getByRole('button', { name: 'I have copied it' }).click()
    await expect(page.getByRole('dialog')).toHaveCount(0)

    // The endpoint's page: enabled, no deliveries yet, and the secret is nowhere.
    await expect(page).toHaveURL(new RegExp(`/i/${slug}/settings/webhooks/[0-9a-f-]+$`))
    await expect(page.getByRole('heading', { level: 1, name: receiver.url })).toBeVisible()
    await expect(page.getByRole('switch', { name: 'Deliver events' })).toBeChecked()
    await expect(page.getByText('No deliveries yet')).toBeVisible()
    expect(await page.content()).not.toContain(secret)

    // Send a test event: the receiver gets it, signed with the secret.
    await page.getByRole('button', { name: 'Send test event' }).click()
    await expect(page.getByText('Test event queued: follow it in the deliveries below')).toBeVisible()
    await expect.poll(() => receiver.ofType('webhook.test').length, { message: 'a webhook.test POST at the receiver', timeout: 20_000 }).toBe(1)
    const test1 = receiver.ofType('webhook.test')[0]
    expect(test1.path).toBe('/hooks/steward')
    expect(test1.headers['content-type']).toMatch(/application\/json/)
    expect(String(test1.headers['webhook-id'])).toMatch(/^msg_/)
    expect(Math.abs(Number(test1.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(300)
    expect(String(test1.headers['webhook-signature'])).toMatch(/^v1,/)
    expect(signatureVerifies(secret, test1.headers, test1.body), 'the webhook-signature verifies with the secret').toBe(true)
    // A tampered body or another secret does not.
    expect(signatureVerifies(secret, test1.headers, `${test1.body} `)).toBe(false)
    expect(signatureVerifies(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, test1.headers, test1.body)).toBe(false)

    // The log shows it delivered, without a reload (it refreshes while a delivery is pending).
    const log = page.getByRole('table', { name: 'Deliveries' })
    const testRow = log.getByRole('row').filter({ hasText: 'webhook.test' })
    await expect(testRow).toHaveCount(1)
    await expect(testRow).toContainText('Succeeded', { timeout: 15_000 })
    await expect(testRow).toContainText('200')
    await expect(testRow).toContainText(/\d+ ms|\d(\.\d)? s/)
    await expect(page.getByText(/Refreshing every/)).toHaveCount(0)
    await shot(page, 'webhooks-04-endpoint-deliveries')

    // Its details: the payload sent, the attempt with the receiver's answer.
    await testRow.getByRole('button', { name: /^Details of the webhook\.test delivery/ }).click()
    const drawer = page.getByRole('dialog', { name: 'Delivery details' })
    await expect(drawer.getByRole('heading', { name: 'webhook.test' })).toBeVisible()
    await expect(drawer.getByText(String(test1.headers['webhook-id']))).toBeVisible()
    const payload = JSON.parse((await drawer.getByLabel('payload', { exact: true }).textContent()) ?? '{}') as { type: string }
    expect(payload).toEqual(JSON.parse(test1.body))
    expect(payload.type).toBe('webhook.test')
    const attempt = drawer.getByRole('table', { name: 'Delivery attempts' }).getByRole('row').nth(1)
    await expect(attempt).toContainText('200')
    await expect(attempt.getByLabel('Response to attempt 1')).toHaveText('received, thanks')
    await expect(drawer).toHaveCSS('opacity', '1')
    await shot(page, 'webhooks-05-delivery-detail')

    // Resend: the receiver gets the same message again, with the same webhook-id, and the drawer follows the new delivery.
    await drawer.getByRole('button', { name: 'Resend' }).click()
    await expect.poll(() => receiver.ofType('webhook.test').length, { message: 'the resent webhook.test', timeout: 20_000 }).toBe(2)
    const test2 = receiver.ofType('webhook.test')[1]
    expect(test2.headers['webhook-id']).toBe(test1.headers['webhook-id'])
    expect(signatureVerifies(secret, test2.headers, test2.body)).toBe(true)
    await expect(drawer.getByRole('article', { name: 'Delivery of webhook.test' }).getByText('Succeeded')).toBeVisible({ timeout: 15_000 })
    await drawer.getByRole('button', { name: 'Close the delivery details' }).click()
    await expect(log.getByRole('row').filter({ hasText: 'webhook.test' })).toHaveCount(2)

    // A real event the endpoint subscribed to: a user created through the API.
    await expectCall(201, base, 'POST', `/api/v1/instances/${slug}/users`, { email: `ada-${stamp}@example.com`, name: 'Ada' }, { authorization: `Bearer ${token}` })
    await expect.poll(() => receiver.ofType('user.created').length, { message: 'a user.created POST', timeout: 20_000 }).toBe(1)
    const created = receiver.ofType('user.created')[0]
    expect(signatureVerifies(secret, created.headers, created.body)).toBe(true)
    expect((JSON.parse(created.body) as { data: { user: { email: string } } }).data.user.email).toBe(`ada-${stamp}@example.com`)
    // Nothing was pending, so the log waits for a refresh to show what happened elsewhere.
    await page.getByRole('button', { name: 'Refresh' }).click()
    await expect(log.getByRole('row').filter({ hasText: 'user.created' })).toContainText('Succeeded', { timeout: 15_000 })
    await shot(page, 'webhooks-06-endpoint-page', true)

    // The list: the endpoint, its event types, enabled.
    await page.getByRole('link', { name: 'Webhooks', exact: true }).click()
    const row = page.getByRole('row').filter({ hasText: receiver.url })
    await expect(row.getByRole('listitem')).toHaveText(['user.created', 'user.deleted'])
    await expect(row).toContainText('Enabled')
    await expect(row).toContainText('Receiver inside the e2e test')
    await shot(page, 'webhooks-07-list', true)
  } finally {
    await receiver.stop()
  }
})
