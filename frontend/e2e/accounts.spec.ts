/**
 * Console accounts end to end: verified emails, members only by invitation, two-factor sign-in.
 *
 * How the emails are read. The shared server of the other specs runs without SMTP: its platform
 * emails are captured in its database and its log. This spec reads them the way a user does,
 * from an inbox: it starts a steward of its own (same binary, fresh data directory) with
 * STEWARD_SMTP_URL pointing at a real SMTP server in this process (support/smtp-sink.ts, a
 * node:net SMTP conversation: EHLO, MAIL, RCPT, DATA), and follows the links in the delivered
 * messages. Nothing reaches into the database or parses log lines; the other specs keep their
 * local mailbox.
 *
 * TOTP codes are computed here from the secret the console shows (RFC 6238, HMAC-SHA1, 30 s, 6
 * digits). Each code works once, so each use waits for a step no earlier use took.
 */
import type { Browser, BrowserContext } from '@playwright/test'
import { startServer, type RunningServer } from './support/server.ts'
import { linkIn, SmtpSink } from './support/smtp-sink.ts'
import { expect, test, watchCsp, type Page } from './support/test.ts'
import { freshCode } from './support/totp.ts'

const PASSWORD = 'correct horse battery'
const shots = 'test-results'

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${shots}/${name}.png` })
}

async function newContext(browser: Browser, baseURL: string, csp: string[]): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } })
  watchCsp(context, csp)
  return context
}

/** Opens a verification link from the inbox and verifies with the button (never on load). */
async function verifyFromInbox(page: Page, sink: SmtpSink, email: string) {
  const mail = await sink.waitFor(email, /verify/i)
  await page.goto(linkIn(mail.text, '/verify-email'))
  await expect(page.getByRole('heading', { name: 'Verify your email' })).toBeVisible()
  await expect(page).toHaveTitle('Verify your email · Steward')
  await page.getByRole('button', { name: 'Verify my email' }).click()
  await expect(page.getByRole('status')).toContainText(`${email} is verified`)
}

test('accounts: verify, invite, accept, two-factor sign-in', async ({ browser }) => {
  test.setTimeout(240_000)
  const sink = await SmtpSink.start()
  let server: RunningServer | null = null
  const csp: string[] = []
  try {
    server = await startServer({ STEWARD_SMTP_URL: sink.url })
    const base = server.baseURL
    const stamp = Date.now().toString(36)
    const owner = `owner-${stamp}@example.com`
    const invitee = `invitee-${stamp}@example.com`
    const slug = `acc-${stamp}`

    // The owner signs up: the console asks to verify the address, and the link arrives.
    const ownerContext = await newContext(browser, base, csp)
    const page = await ownerContext.newPage()
    await page.goto('/signup')
    await expect(page).toHaveTitle('Sign up · Steward')
    await page.getByLabel('Name').fill('Olga Owner')
    await page.getByLabel('Email').fill(owner)
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign up' }).click()
    await expect(page.getByRole('heading', { name: 'Create your first instance' })).toBeVisible()
    await expect(page.getByText('Verify your email address')).toBeVisible()
    await expect(page.getByText(`We sent a link to ${owner}`)).toBeVisible()
    await shot(page, '60-accounts-verify-banner')
    await verifyFromInbox(page, sink, owner)
    await page.getByRole('link', { name: 'Continue to the console' }).click()
    await expect(page.getByRole('heading', { name: 'Create your first instance' })).toBeVisible()
    await expect(page.getByText('Verify your email address')).toHaveCount(0)

    // An instance, and an invitation for the second address as admin.
    await page.getByLabel('Name').fill('Accounts test')
    await page.getByLabel('Slug').fill(slug)
    await page.getByRole('button', { name: 'Create instance' }).click()
    await expect(page).toHaveURL(new RegExp(`/i/${slug}$`))
    const nav = page.getByRole('navigation', { name: 'Console' })
    await nav.getByRole('link', { name: 'Settings' }).click()
    await expect(page).toHaveTitle('Settings · Accounts test · Steward')
    const inviteForm = page.getByRole('form', { name: 'Invite a member' })
    await inviteForm.getByRole('textbox', { name: 'Email address' }).fill(invitee)
    await inviteForm.getByRole('combobox', { name: 'Role' }).click()
    await page.getByRole('option', { name: /^Admin/ }).click()
    await inviteForm.getByRole('button', { name: 'Invite member' }).click()
    await expect(page.getByText(`Invitation sent to ${invitee} as admin`)).toBeVisible()
    const pending = page.getByRole('table', { name: 'Pending invitations' })
    await expect(pending.getByRole('row').filter({ hasText: invitee })).toContainText('Admin')
    await shot(page, '61-accounts-invited')

    // The invitee opens the invitation in another browser, creates the account with that address...
    const invitation = await sink.waitFor(invitee, /invited/i)
    expect(invitation.text).toContain('Olga Owner')
    const invitationLink = linkIn(invitation.text, '/invitations/accept')
    const inviteeContext = await newContext(browser, base, csp)
    const guest = await inviteeContext.newPage()
    await guest.goto(invitationLink)
    await expect(guest.getByRole('heading', { name: 'Join Accounts test' })).toBeVisible()
    await expect(guest.getByText(`invited ${invitee} to join Accounts test`)).toBeVisible()
    await shot(guest, '62-accounts-invitation-signed-out')
    await guest.getByRole('link', { name: 'Create an account' }).click()
    await expect(guest.getByLabel('Email')).toHaveValue(invitee)
    await guest.getByLabel('Name').fill('Ivan Invitee')
    await guest.getByRole('textbox', { name: 'Password', exact: true }).fill(PASSWORD)
    await guest.getByRole('button', { name: 'Sign up' }).click()
    // ...comes back to the invitation, which first wants the address verified...
    await expect(guest.getByRole('heading', { name: 'Join Accounts test' })).toBeVisible()
    await expect(guest.getByText('Verify your email address first')).toBeVisible()
    await expect(guest.getByRole('button', { name: /Accept/ })).toHaveCount(0)
    await verifyFromInbox(guest, sink, invitee)
    // ...then accepts it and lands in the instance.
    await guest.goto(invitationLink)
    await guest.getByRole('button', { name: 'Accept and join Accounts test' }).click()
    await expect(guest).toHaveURL(new RegExp(`/i/${slug}$`))
    await expect(guest.getByRole('combobox', { name: 'Current instance' })).toHaveValue('Accounts test')
    await shot(guest, '63-accounts-joined')
    // A link works once.
    await guest.goto(invitationLink)
    await expect(guest.getByText('This invitation cannot be used')).toBeVisible()

    // The owner sees the new admin among the members, and no pending invitation left.
    await page.reload()
    const members = page.getByRole('table', { name: 'Members' })
    await expect(members.getByRole('row').filter({ hasText: invitee })).toBeVisible()
    await expect(page.getByText('No pending invitations.')).toBeVisible()

    // The owner turns on two-factor sign-in: password, the QR code and secret, a code, the recovery codes.
    await page.getByRole('button', { name: 'Account menu' }).click()
    await page.getByRole('menuitem', { name: 'Profile' }).click()
    await page.getByRole('tab', { name: 'Security' }).click()
    await expect(page).toHaveURL(/\/profile\/security$/)
    await expect(page).toHaveTitle('Security · Profile · Steward')
    await expect(page.getByRole('table', { name: 'Active sessions' }).getByText('This device')).toBeVisible()
    await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click()
    const enrol = page.getByRole('dialog', { name: 'Turn on two-factor sign-in' })
    await enrol.getByLabel('Current password').fill(PASSWORD)
    await enrol.getByRole('button', { name: 'Continue' }).click()
    await expect(enrol.getByRole('img', { name: /QR code/ })).toBeVisible()
    const secret = (await enrol.getByLabel('Secret key', { exact: true }).innerText()).replace(/\s+/g, '')
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/)
    await shot(page, '64-accounts-2fa-scan')
    const first = await freshCode(secret)
    await enrol.getByLabel('Code from the app').fill(first.code)
    await enrol.getByRole('button', { name: 'Turn on' }).click()
    const codes = page.getByRole('dialog', { name: 'Two-factor sign-in is on' })
    await expect(codes.getByRole('listitem')).toHaveCount(10)
    await shot(page, '65-accounts-2fa-recovery-codes')
    await codes.getByRole('checkbox', { name: /saved these recovery codes/ }).check()
    await codes.getByRole('button', { name: 'Done' }).click()
    await expect(page.getByText('10 recovery codes left.')).toBeVisible()
    await expect(page.getByRole('table', { name: 'Security log' }).getByText('Two-factor sign-in turned on')).toBeVisible()

    // Signed out, signing in takes the password and then a code (a new one: each works once).
    await page.getByRole('button', { name: 'Account menu' }).click()
    await page.getByRole('menuitem', { name: 'Log out' }).click()
    await expect(page).toHaveURL(/\/login\?reason=signed-out$/)
    await page.getByLabel('Email').fill(owner)
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(PASSWORD)
    await page.getByRole('button', { name: 'Log in' }).click()
    await expect(page.getByRole('heading', { name: 'Two-factor sign-in' })).toBeVisible()
    await expect(page.getByText('Enter the 6-digit code from your authenticator app.')).toBeVisible()
    await shot(page, '66-accounts-2fa-login')
    const second = await freshCode(secret, first.step)
    await page.getByLabel('Authentication code').fill(second.code)
    await page.getByRole('button', { name: 'Verify and log in' }).click()
    await expect(page).toHaveURL(new RegExp(`/i/${slug}$`))

    // The instance's audit log records the invitation and its acceptance, by whom.
    await nav.getByRole('link', { name: 'Settings' }).click()
    await page.getByRole('link', { name: /open the audit log/i }).click()
    await expect(page.getByRole('heading', { name: /audit log/i }).first()).toBeVisible()
    await expect(page.getByText('Invitation sent').first()).toBeVisible()
    await expect(page.getByText('Invitation accepted').first()).toBeVisible()
    await shot(page, '67-accounts-audit-log')

    await ownerContext.close()
    await inviteeContext.close()
    expect(csp, 'Content-Security-Policy violations').toEqual([])
  } catch (error) {
    if (server) console.error(server.output())
    throw error
  } finally {
    await server?.stop()
    await sink.stop()
  }
})
