/**
 * Accessibility: axe-core (WCAG 2.0/2.1 A and AA; serious and critical findings fail) on every
 * page of the console, with its dialogs and drawers open, and on the end users' account pages;
 * and the keyboard reaching a password field's show/hide toggle.
 *
 * What the pages show is made through the API first (one developer, one instance with
 * applications, users, emails and an invitation), so the checks spend their time on the pages.
 * The console's own account links (verify, reset, invitation) need its platform emails: that test
 * runs a steward of its own that delivers them to an SMTP sink in this process.
 */
import type { Locator } from '@playwright/test'
import { axeFindings, expectAccessible } from './support/axe.ts'
import { accountLinkIn, call, expectCall, mailTo } from './support/api.ts'
import { startServer } from './support/server.ts'
import { signIn } from './support/signup.ts'
import { linkIn, SmtpSink } from './support/smtp-sink.ts'
import { expect, test, watchCsp, type Page } from './support/test.ts'
import { startReceiver } from './support/webhook-receiver.ts'

const PASSWORD = 'correct horse battery'

interface World {
  base: string
  email: string
  token: string
  slug: string
  name: string
  backendAppId: string
  frontendAppId: string
  managementClientId: string
  userId: string
  /** An end user's email address, and the links of the emails they got. */
  reader: string
  verifyLink: string
  resetLink: string
  invitationLink: string
  mailboxMessageId: string
  outboxEmailId: string
  /** A webhook endpoint at a receiver in this process, with delivered events; another, turned off. */
  webhookUrl: string
  webhookId: string
  deliveryId: string
  pausedWebhookId: string
}

async function makeWorld(base: string): Promise<World> {
  const stamp = Date.now().toString(36)
  const email = `axe-${stamp}@example.com`
  const slug = `axe-${stamp}`
  const name = 'Accessible Shop'
  const signup = await expectCall(201, base, 'POST', '/api/v1/auth/signup', { email, password: PASSWORD, name: 'Alex Axe' })
  const token = signup.access_token as string
  const auth = { authorization: `Bearer ${token}` }
  const api = (status: number, method: string, path: string, body?: unknown) => expectCall(status, base, method, `/api/v1/instances/${slug}${path}`, body, auth)

  await expectCall(201, base, 'POST', '/api/v1/instances', { slug, name, time_zone: 'Europe/Paris' }, auth)
  // Webhooks first, so the users created below are delivered to the receiver.
  const receiver = await startReceiver()
  const hook = await api(201, 'POST', '/webhooks', { url: receiver.url, description: 'CRM sync', event_types: ['user.created', 'user.deleted'] })
  const paused = await api(201, 'POST', '/webhooks', { url: 'https://hooks.example.com/paused', enabled: false })
  const backend = await api(201, 'POST', '/applications', { kind: 'backend', name: 'Billing service', description: 'Creates users' })
  const frontend = await api(201, 'POST', '/applications', { kind: 'frontend', name: 'Shop web', allowed_origins: ['https://shop.example.com'] })
  const client = { 'x-client-id': frontend.client_id as string }
  const expires = new Date(Date.now() + 90 * 24 * 3600 * 1000).toISOString()
  const machine = await api(201, 'POST', '/management-clients', { name: 'CI deploy bot', description: 'Deploys the shop', scopes: ['users:read', 'users:write', 'audit_log:read'], expires_at: expires })
  const user = await api(201, 'POST', '/users', { email: `ada-${stamp}@example.com`, given_name: 'Ada', family_name: 'Lovelace', email_verified: true, metadata: { plan: 'pro' } })
  await api(201, 'POST', '/users', { email: `alan-${stamp}@example.com`, given_name: 'Alan', family_name: 'Turing', blocked: true })
  await api(201, 'POST', '/invitations', { email: `member-${stamp}@example.com`, role: 'developer' })

  // An end user registers (a verification email), forgets the password (a reset email); another is invited.
  const reader = `reader-${stamp}@example.com`
  await expectCall(202, base, 'POST', `/public/v1/${slug}/auth/register`, { email: reader, password: PASSWORD, name: 'Reader' }, client)
  const verification = await mailTo(base, token, slug, reader, /Verify your email/)
  await expectCall(202, base, 'POST', `/public/v1/${slug}/auth/forgot-password`, { email: reader }, client)
  const reset = await mailTo(base, token, slug, reader, /Reset your/)
  const invitee = `invitee-${stamp}@example.com`
  await api(201, 'POST', '/users', { email: invitee, name: 'Ivy Invitee', send_invitation: true })
  const invitation = await mailTo(base, token, slug, invitee, /invit/i)
  const outbox = await api(200, 'GET', '/outbox')
  const hookId = hook.endpoint.id as string
  await api(202, 'POST', `/webhooks/${hookId}/test`)
  // Every delivery done, so no page is still refreshing when axe runs.
  let deliveries: { id: string; status: string; event_type: string }[] = []
  await expect
    .poll(
      async () => {
        deliveries = (await api(200, 'GET', `/webhooks/${hookId}/deliveries`)).items
        return deliveries.length >= 3 && deliveries.every((d) => d.status !== 'pending')
      },
      { message: 'the webhook deliveries done', timeout: 20_000 },
    )
    .toBe(true)
  return {
    base,
    email,
    token,
    slug,
    name,
    backendAppId: backend.id,
    frontendAppId: frontend.id,
    managementClientId: machine.client.id,
    userId: user.id,
    reader,
    verifyLink: accountLinkIn(verification.text),
    resetLink: accountLinkIn(reset.text),
    invitationLink: accountLinkIn(invitation.text),
    mailboxMessageId: verification.id,
    outboxEmailId: (outbox.items as { id: string; to: string }[]).find((e) => e.to === reader)?.id ?? '',
    webhookUrl: receiver.url,
    webhookId: hookId,
    deliveryId: deliveries.find((d) => d.event_type === 'webhook.test')?.id ?? '',
    pausedWebhookId: paused.endpoint.id,
  }
}

// Made once per worker (a worker restarted after a failure makes a new one).
let world: Promise<World> | undefined
const theWorld = (base: string | undefined) => (world ??= makeWorld(base ?? ''))

/** Nothing on the page is still loading. */
async function settled(page: Page) {
  await expect(page.locator('.mantine-Loader-root, .mantine-Skeleton-root, [aria-busy="true"]')).toHaveCount(0)
}

/** Opens `path`, waits for `ready` and for the loading to end, and runs axe on it. */
async function check(page: Page, path: string, ready: (page: Page) => Locator, where = path) {
  await page.goto(path)
  await expect(ready(page)).toBeVisible()
  await settled(page)
  await expectAccessible(page, where)
}

/** A dialog, once its opening transition is over (axe measures colours as they are shown). */
async function opened(dialog: Locator): Promise<Locator> {
  await expect(dialog).toBeVisible()
  await expect(dialog).toHaveCSS('opacity', '1')
  return dialog
}

const h1 = (name: string | RegExp) => (page: Page) => page.getByRole('heading', { level: 1, name })

test('accessibility: the signed-out console pages', async ({ page }) => {
  await check(page, '/login', h1('Log in'))
  await check(page, '/login?next=%2Fi%2Fsome%2Fusers&reason=expired', h1('Log in'), 'the login page after a session ended')
  await check(page, '/signup', h1('Create your account'))
  await check(page, '/forgot-password', h1('Forgot your password?'))
  // Links that do not work (the working ones are in the test of the console's emails below).
  await check(page, '/reset-password?token=not-a-token', (p) => p.getByRole('alert'), 'the password reset page with a bad link')
  await check(page, '/verify-email?token=not-a-token', (p) => p.getByRole('alert'), 'the email verification page with a bad link')
  await check(page, '/invitations/accept?token=not-a-token', (p) => p.getByRole('alert'), 'the invitation page with a bad link')
})

test('accessibility: the instance, its applications and users', async ({ page, baseURL }) => {
  test.setTimeout(120_000)
  const w = await theWorld(baseURL)
  await signIn(page, w.email, PASSWORD)
  const at = `/i/${w.slug}`

  await check(page, '/instances/new', h1('New instance'), 'New instance')
  await check(page, at, h1(w.name), 'the instance overview')
  await check(page, `${at}/applications`, h1('Applications'))
  await check(page, `${at}/applications/${w.backendAppId}`, h1('Billing service'), 'a back-end application')
  await check(page, `${at}/applications/${w.frontendAppId}`, h1('Shop web'), 'a front-end application')
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Applications' }).click()
  await page.getByRole('button', { name: 'New application' }).first().click()
  await opened(page.getByRole('dialog', { name: 'New application' }))
  await expectAccessible(page, 'the New application dialog')

  await check(page, `${at}/users`, h1('Users'))
  await page.getByRole('checkbox', { name: /^Select ada-/ }).check()
  await expect(page.getByRole('region', { name: 'Bulk actions' })).toBeVisible()
  await expectAccessible(page, 'the users list with a user selected')
  await page.getByRole('button', { name: 'Add user' }).first().click()
  await opened(page.getByRole('dialog', { name: 'Add user' }))
  await expectAccessible(page, 'the Add user dialog')
  await page.getByRole('dialog', { name: 'Add user' }).getByRole('button', { name: 'Cancel' }).click()
  await expect(page.getByRole('dialog')).toHaveCount(0)

  await page.getByRole('button', { name: 'Import', exact: true }).click()
  const importing = await opened(page.getByRole('dialog', { name: 'Import users' }))
  await expectAccessible(page, 'the Import users dialog')
  const csv = (name: string, text: string) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) })
  await importing.getByLabel('CSV file', { exact: true }).setInputFiles(csv('unknown.csv', 'email,nickname\nbob@example.com,b\n'))
  await expect(importing.getByRole('alert').filter({ hasText: 'The header row cannot be imported' })).toBeVisible()
  await expectAccessible(page, 'the Import users dialog with a refused header')
  await importing.getByLabel('CSV file', { exact: true }).setInputFiles(csv('users.csv', 'email,given_name\nbob@example.com,Bob\nnot-an-email,Nope\n'))
  await expect(importing.getByRole('table', { name: 'Rejected rows' })).toBeVisible()
  await expectAccessible(page, 'the Import users dialog with a file checked')

  await check(page, `${at}/users/${w.userId}`, h1('Ada Lovelace'), "a user's page")
})

test('accessibility: emails, general settings, instance settings and the profile', async ({ page, baseURL }) => {
  test.setTimeout(120_000)
  const w = await theWorld(baseURL)
  await signIn(page, w.email, PASSWORD)
  const at = `/i/${w.slug}`

  await check(page, `${at}/emails`, h1('Emails'), 'the outbox')
  await check(page, `${at}/emails?email=${w.outboxEmailId}`, (p) => p.getByRole('dialog', { name: 'Email details' }), 'an outbox email')
  await opened(page.getByRole('dialog', { name: 'Email details' }))
  await expectAccessible(page, 'an outbox email (drawer open)')
  await check(page, `${at}/emails?tab=mailbox&message=${w.mailboxMessageId}`, (p) => p.getByRole('article', { name: /^Message: / }), 'the mailbox with a message open')

  await check(page, `${at}/general/identity`, h1('General'), 'General: corporate identity')
  await check(page, `${at}/general/emails`, (p) => p.getByRole('textbox', { name: 'Body' }), 'General: email messages and the template editor')
  await check(page, `${at}/general/smtp`, (p) => p.getByRole('textbox', { name: 'Host' }), 'General: email SMTP')

  await check(page, `${at}/settings`, (p) => p.getByRole('table', { name: 'Pending invitations' }), 'instance settings')
  await check(page, `${at}/settings/audit-log`, h1(/audit log/i), 'the audit log')

  await check(page, `${at}/settings/management-clients`, (p) => p.getByRole('link', { name: 'CI deploy bot' }), 'the management clients')
  await page.getByRole('button', { name: 'New management client' }).click()
  const creating = await opened(page.getByRole('dialog', { name: 'New management client' }))
  await creating.getByRole('button', { name: 'Create client' }).click()
  await expect(creating.getByRole('textbox', { name: 'Name' })).toHaveAttribute('aria-invalid', 'true')
  await creating.getByRole('checkbox', { name: 'Set an expiry date' }).check()
  await expectAccessible(page, 'the New management client dialog with errors')
  await creating.getByRole('textbox', { name: 'Name' }).fill('Nightly export')
  await creating.getByRole('checkbox', { name: 'audit_log:read' }).check()
  await creating.getByRole('checkbox', { name: 'Set an expiry date' }).uncheck()
  await creating.getByRole('button', { name: 'Create client' }).click()
  const secret = await opened(page.getByRole('dialog', { name: 'Client secret of “Nightly export”' }))
  await expectAccessible(page, 'a management client’s secret, shown once')
  await secret.getByRole('button', { name: 'I have copied it' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Nightly export' })).toBeVisible()

  await check(page, `${at}/settings/management-clients/${w.managementClientId}`, h1('CI deploy bot'), 'a management client')
  await page.getByRole('button', { name: 'Rotate secret' }).click()
  await opened(page.getByRole('dialog', { name: 'Rotate the client secret' }))
  await expectAccessible(page, 'the Rotate the client secret dialog of a management client')
  await page.getByRole('dialog', { name: 'Rotate the client secret' }).getByRole('button', { name: 'Cancel' }).click()
  await expect(page.getByRole('dialog')).toHaveCount(0)
  await page.getByRole('button', { name: 'Delete client' }).click()
  await opened(page.getByRole('dialog', { name: 'Delete management client' }))
  await expectAccessible(page, 'the Delete management client dialog')
  await page.getByRole('dialog', { name: 'Delete management client' }).getByRole('button', { name: 'Cancel' }).click()

  await check(page, '/profile', h1('Your profile'), 'the profile')
  await check(page, '/profile/security', (p) => p.getByRole('table', { name: 'Active sessions' }), 'the profile: security')
  await check(page, '/no/such/page', h1(/not found/i), 'a page that does not exist')
})

test('accessibility: webhooks and the signing algorithm', async ({ page, baseURL }) => {
  test.setTimeout(120_000)
  const w = await theWorld(baseURL)
  await signIn(page, w.email, PASSWORD)
  const at = `/i/${w.slug}`

  await check(page, `${at}/settings/webhooks`, (p) => p.getByRole('link', { name: w.webhookUrl }), 'the webhooks')
  await page.getByRole('button', { name: 'Add endpoint' }).click()
  const creating = await opened(page.getByRole('dialog', { name: 'Add webhook endpoint' }))
  await creating.getByRole('button', { name: 'Add endpoint' }).click()
  await expect(creating.getByRole('textbox', { name: /Endpoint URL/ })).toHaveAttribute('aria-invalid', 'true')
  await creating.getByRole('checkbox', { name: /user\.blocked/ }).check()
  await expectAccessible(page, 'the Add webhook endpoint dialog with errors')
  await creating.getByRole('textbox', { name: /Endpoint URL/ }).fill('https://hooks.example.com/new')
  await creating.getByRole('checkbox', { name: /Enabled/ }).uncheck()
  await creating.getByRole('button', { name: 'Add endpoint' }).click()
  const secret = await opened(page.getByRole('dialog', { name: 'Signing secret of hooks.example.com/new' }))
  await expectAccessible(page, 'a webhook endpoint’s signing secret, shown once')
  await secret.getByRole('button', { name: 'I have copied it' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'https://hooks.example.com/new' })).toBeVisible()

  const log = (p: Page) => p.getByRole('table', { name: 'Deliveries' }).getByRole('button', { name: /^Details of the webhook\.test delivery/ })
  await check(page, `${at}/settings/webhooks/${w.webhookId}`, log, 'a webhook endpoint with its deliveries')
  await check(page, `${at}/settings/webhooks/${w.webhookId}?delivery=${w.deliveryId}`, (p) => p.getByRole('table', { name: 'Delivery attempts' }), 'a webhook delivery')
  await opened(page.getByRole('dialog', { name: 'Delivery details' }))
  await expectAccessible(page, 'a webhook delivery (drawer open)')
  await page.getByRole('button', { name: 'Close the delivery details' }).click()
  await expect(page.getByRole('dialog')).toHaveCount(0)
  await page.getByRole('button', { name: 'Rotate secret' }).click()
  await opened(page.getByRole('dialog', { name: 'Rotate the signing secret' }))
  await expectAccessible(page, 'the Rotate the signing secret dialog')
  await page.getByRole('dialog', { name: 'Rotate the signing secret' }).getByRole('button', { name: 'Cancel' }).click()
  await expect(page.getByRole('dialog')).toHaveCount(0)
  await page.getByRole('button', { name: 'Delete endpoint' }).click()
  await opened(page.getByRole('dialog', { name: 'Delete webhook endpoint' }))
  await expectAccessible(page, 'the Delete webhook endpoint dialog')
  await page.getByRole('dialog', { name: 'Delete webhook endpoint' }).getByRole('button', { name: 'Cancel' }).click()
  await check(page, `${at}/settings/webhooks/${w.pausedWebhookId}`, (p) => p.getByText('No deliveries yet'), 'a webhook endpoint that is off, without deliveries')

  await check(page, `${at}/applications`, (p) => p.getByRole('combobox', { name: 'Signing algorithm' }), 'the applications with the signing algorithm')
  await page.getByRole('combobox', { name: 'Signing algorithm' }).click()
  await page.getByRole('option', { name: 'ES256 (ECDSA P-256)' }).click()
  await opened(page.getByRole('dialog', { name: 'Change the signing algorithm' }))
  await expectAccessible(page, 'the Change the signing algorithm dialog')
  await page.getByRole('dialog', { name: 'Change the signing algorithm' }).getByRole('button', { name: 'Cancel' }).click()
  await check(page, `${at}/applications/${w.backendAppId}`, (p) => p.getByRole('region', { name: 'Verify tokens' }), 'a back-end application with the token verification')
  await page.getByRole('tab', { name: 'Python (PyJWT)' }).click()
  await expect(page.getByLabel('Python verification snippet', { exact: true })).toBeVisible()
  await expectAccessible(page, 'the Python token verification')
})

test("accessibility: the end users' account pages", async ({ page, baseURL }) => {
  const w = await theWorld(baseURL)
  const status = (name: string | RegExp) => (p: Page) => p.getByRole('status').filter({ hasText: name })

  // Verify: done on opening; opened again, the link was used.
  await check(page, w.verifyLink, status('is verified'), 'verify-email: verified')
  await check(page, w.verifyLink, status('This link was already used'), 'verify-email: a used link')
  await check(page, w.resetLink, (p) => p.getByRole('button', { name: 'Change my password' }), 'reset-password: the form')
  await page.getByRole('button', { name: 'Change my password' }).click()
  await expect(page.getByLabel('New password')).toHaveAttribute('aria-invalid', 'true')
  await expectAccessible(page, 'reset-password: the form with errors')
  await check(page, w.invitationLink, (p) => p.getByRole('button', { name: 'Set my password' }), 'accept-invitation: a valid link')
  const invalid = w.invitationLink.replace(/token=[^&]+/, 'token=not-a-real-token')
  await check(page, invalid, (p) => p.getByRole('alert'), 'accept-invitation: an invalid link')
  await check(page, `/account/reset-password?instance=${w.slug}`, (p) => p.getByRole('alert'), 'reset-password: an incomplete link')
})

test("accessibility: the console's account links from its emails", async ({ browser }) => {
  test.setTimeout(120_000)
  const sink = await SmtpSink.start()
  const server = await startServer({ STEWARD_SMTP_URL: sink.url })
  const csp: string[] = []
  try {
    const base = server.baseURL
    const stamp = Date.now().toString(36)
    const owner = `owner-${stamp}@example.com`
    const invitee = `invitee-${stamp}@example.com`
    const slug = `axe-links-${stamp}`
    const signup = await expectCall(201, base, 'POST', '/api/v1/auth/signup', { email: owner, password: PASSWORD, name: 'Olga Owner' })
    const auth = { authorization: `Bearer ${signup.access_token}` }
    await expectCall(201, base, 'POST', '/api/v1/instances', { slug, name: 'Links test', time_zone: 'UTC' }, auth)
    await expectCall(201, base, 'POST', `/api/v1/instances/${slug}/invitations`, { email: invitee, role: 'viewer' }, auth)
    expect((await call(base, 'POST', '/api/v1/auth/forgot-password', { email: owner })).status).toBe(202)

    const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 800 } })
    watchCsp(context, csp)
    const page = await context.newPage()
    const verify = linkIn((await sink.waitFor(owner, /verify/i)).text, '/verify-email')
    await check(page, verify, (p) => p.getByRole('button', { name: 'Verify my email' }), 'console verify-email: a valid link')
    const reset = linkIn((await sink.waitFor(owner, /reset|password/i)).text, '/reset-password')
    await check(page, reset, (p) => p.getByRole('button', { name: 'Change my password' }), 'console reset-password: a valid link')
    const invitation = linkIn((await sink.waitFor(invitee, /invited/i)).text, '/invitations/accept')
    await check(page, invitation, h1('Join Links test'), 'the console invitation page, signed out')
    await context.close()
    expect(csp, 'Content-Security-Policy violations').toEqual([])
  } catch (error) {
    console.error(server.output())
    throw error
  } finally {
    await server.stop()
    await sink.stop()
  }
})

test('keyboard: Tab reaches the show/hide toggle of a password field, and Space shows the password', async ({ page }) => {
  await page.goto('/login')
  const password = page.getByRole('textbox', { name: 'Password', exact: true })
  await page.getByRole('textbox', { name: 'Email' }).click()
  await page.keyboard.press('Tab')
  await expect(password).toBeFocused()
  await expect(password).toHaveAttribute('type', 'password')
  await page.keyboard.type('hunter22')
  await page.keyboard.press('Tab')
  const toggle = page.getByRole('button', { name: 'Show password' })
  await expect(toggle).toBeFocused()
  await expect(toggle).toHaveAttribute('aria-pressed', 'false')
  await page.keyboard.press('Space')
  await expect(password).toHaveAttribute('type', 'text')
  await expect(password).toHaveValue('hunter22')
  await expect(toggle).toHaveAttribute('aria-pressed', 'true')
  await page.keyboard.press('Enter')
  await expect(password).toHaveAttribute('type', 'password')
  // Then on to the link and the button.
  await page.keyboard.press('Tab')
  await expect(page.getByRole('link', { name: 'Forgot password?' })).toBeFocused()
})

test('the check itself finds a nameless button and faint text', async ({ page }) => {
  await page.setContent('<html lang="en"><title>Bad</title><main><button></button><p style="color:#bbb">Faint</p></main></html>')
  const findings = await axeFindings(page, 'a deliberately inaccessible page')
  expect(findings).toEqual([
    expect.stringMatching(/^\[critical\] button-name: .*\n {4}button {2}<button><\/button>/),
    expect.stringMatching(/^\[serious\] color-contrast: .*\n {4}p {2}<p style="color:#bbb">Faint<\/p>/),
  ])
})
