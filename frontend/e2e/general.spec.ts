import { expect, test, type Page } from './support/test.ts'
import { consoleToken, signUpWithInstance } from './support/signup.ts'
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, connect } from 'node:net'
import { png } from './support/png.ts'

// Each sub-tab is shot at 1400×900 (viewport size: the AppShell's fixed header and navbar do not
// survive full-page stitching).
test.use({ viewport: { width: 1400, height: 900 } })

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `/tmp/general-${name}.png` })
}

/** A port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** Resolves once `port` accepts TCP connections (or throws after `timeoutMs`). */
async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (open) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`)
}

/** A real SMTP server (aiosmtpd, printing every message it receives to stdout). */
async function startSmtpServer(): Promise<{ port: number; process: ChildProcess; received: () => string }> {
  const port = await freePort()
  const child = spawn('python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`], {
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  await waitForPort(port)
  // Quoted-printable soft line breaks joined, so that text can be searched.
  return { port, process: child, received: () => output.replace(/=\r?\n/g, '') }
}

let smtp: Awaited<ReturnType<typeof startSmtpServer>> | null = null

test.afterAll(() => {
  if (smtp && smtp.process.exitCode === null) smtp.process.kill('SIGTERM')
  smtp = null
})

test('general: logo, email messages with a live preview, and the instance\'s own SMTP server', async ({ page, baseURL }) => {
  test.setTimeout(120_000)
  const stamp = Date.now().toString(36)
  const slug = `gen-${stamp}`
  const base = baseURL ?? ''
  const nav = page.getByRole('navigation', { name: 'Console' })

  await test.step('sign up and create an instance', async () => {
    await signUpWithInstance(page, { name: 'Grace Hopper', email: `grace-${stamp}@example.com`, instanceName: 'Acme Shop', slug })
    // An end user to preview the emails as.
    const token = await consoleToken(base, `grace-${stamp}@example.com`, 'correct horse battery')
    const created = await fetch(`${base}/api/v1/instances/${slug}/users`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ email: `katherine-${stamp}@example.com`, given_name: 'Katherine', family_name: 'Johnson', name: 'Katherine Johnson' }),
    })
    expect(created.status).toBe(201)
  })

  await test.step('corporate identity: upload a logo, see it; a refused one shows the server\'s reason', async () => {
    await nav.getByRole('link', { name: 'General' }).click()
    await expect(page).toHaveURL(new RegExp(`/i/${slug}/general/identity$`))
    await expect(page.getByRole('heading', { name: 'General', exact: true })).toBeVisible()
    await expect(page.getByText('No logo yet')).toBeVisible()
    await expect(page.getByText('PNG, at most 1 MB, 100×100 to 1200×1200 pixels, transparent background recommended')).toBeVisible()

    // Without transparency: stored, with a yellow warning.
    await page.getByLabel('Logo file').setInputFiles({ name: 'opaque.png', mimeType: 'image/png', buffer: png(160, 120, false) })
    await expect(page.getByText('Stored, with a warning')).toBeVisible()
    await expect(page.getByText(/no transparency/)).toBeVisible()
    await expect(page.getByText('160 × 120 px')).toBeVisible()

    // A 200×200 RGBA logo with a transparent background replaces it: no warning.
    await page.getByLabel('Logo file').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: png(200, 200) })
    await expect(page.getByText('200 × 200 px')).toBeVisible()
    await expect(page.getByText('Stored, with a warning')).toHaveCount(0)
    const logo = page.getByRole('img', { name: 'Logo', exact: true })
    await expect(logo).toHaveAttribute('src', new RegExp(`/public/v1/${slug}/branding/logo\\?v=`))
    // The image really loads from its public URL.
    await expect.poll(() => logo.evaluate((img) => {
      const image = img as unknown as { complete: boolean; naturalWidth: number }
      return image.complete && image.naturalWidth
    })).toBe(200)

    // 99×500, dropped on the zone: refused by the server, with its reason; the stored logo stays.
    const narrow = png(99, 500).toString('base64')
    const dataTransfer = await page.evaluateHandle((b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))
      // (The e2e sources are type-checked without the DOM library.)
      const { DataTransfer: Transfer } = globalThis as unknown as { DataTransfer: new () => { items: { add(file: File): void } } }
      const transfer = new Transfer()
      transfer.items.add(new File([bytes], 'narrow.png', { type: 'image/png' }))
      return transfer
    }, narrow)
    const zone = page.getByRole('group', { name: /Upload a logo: drop a PNG file here/ })
    await zone.dispatchEvent('dragenter', { dataTransfer })
    await zone.dispatchEvent('drop', { dataTransfer })
    const refusal = page.getByRole('alert').filter({ hasText: 'This file was not accepted' })
    await expect(refusal).toContainText('The image is 99×500 pixels; width and height must each be at least 100 pixels.')
    await expect(page.getByRole('region', { name: 'Chosen file' })).toContainText('narrow.png')
    await expect(page.getByText('200 × 200 px')).toBeVisible()
    await expect(page.getByText(/^Logo uploaded/)).toHaveCount(0, { timeout: 15_000 })
    await shot(page, 'identity')
  })

  await test.step('email messages: edit the verification email with a live preview, save, and see a template error with its line', async () => {
    await page.getByRole('tab', { name: 'Email messages' }).click()
    await expect(page).toHaveURL(new RegExp(`/i/${slug}/general/emails`))
    await expect(page.getByRole('radio', { name: 'Email verification' })).toBeChecked()
    const body = page.getByRole('textbox', { name: 'Body' })
    const preview = page.frameLocator('iframe[title="Email preview"]')
    await expect(page.locator('iframe[title="Email preview"]')).toHaveAttribute('sandbox', '')
    await expect(preview.getByText('Please confirm that ada@example.com is your email address.')).toBeVisible()
    // The preview shows the instance's logo.
    await expect(preview.getByRole('img', { name: 'Acme Shop' })).toBeVisible()

    await body.click()
    await body.press('Control+End')
    await body.pressSequentially('\n<p>Welcome aboard {{ first_name }}</p>')
    await expect(preview.getByText('Welcome aboard Ada')).toBeVisible()
    await expect(page.getByText('Unsaved', { exact: true })).toBeVisible()

    // The font on the right drives the preview at once.
    await page.getByRole('combobox', { name: 'Font family' }).click()
    await page.getByRole('option', { name: 'Georgia' }).click()
    await expect.poll(() => page.locator('iframe[title="Email preview"]').getAttribute('srcdoc')).toContain('font-family:Georgia')
    await page.getByRole('button', { name: 'Save font' }).click()
    await expect(page.getByText('Font saved: it applies to every email from now on')).toBeVisible()

    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await expect(page.getByText('“Email verification” saved')).toBeVisible()
    await expect(page.getByText('Customized', { exact: true })).toBeVisible()
    await expect(page.getByText('Unsaved', { exact: true })).toHaveCount(0)

    // Saved for real: still there after a reload.
    await page.reload()
    // (The body is a code editor: its text, not an input's value.)
    await expect(page.getByRole('textbox', { name: 'Body' })).toContainText('Welcome aboard {{ first_name }}')
    await expect(page.getByRole('combobox', { name: 'Font family' })).toHaveValue('Georgia')
    await expect(preview.getByText('Welcome aboard Ada')).toBeVisible()
    await shot(page, 'emails')

    // Previewed as a real end user, found by name.
    const previewAs = page.getByRole('combobox', { name: 'Preview as' })
    await previewAs.click()
    await previewAs.fill('kath')
    await page.getByRole('option', { name: `Katherine Johnson <katherine-${stamp}@example.com>` }).click()
    await expect(preview.getByText('Welcome aboard Katherine')).toBeVisible()
    await expect(preview.getByText(`Please confirm that katherine-${stamp}@example.com is your email address.`)).toBeVisible()
    await shot(page, 'emails-preview-as')
    await previewAs.click()
    await page.getByRole('option', { name: 'Sample data' }).click()
    await expect(preview.getByText('Welcome aboard Ada')).toBeVisible()

    // An unknown variable: refused live, with its line, under Body.
    await body.click()
    await body.press('Control+End')
    await body.pressSequentially('\n<p>{{ undefined_var }}</p>')
    await expect(page.getByText('Line 5: unknown variable `undefined_var`', { exact: false })).toBeVisible()
    await expect(body).toHaveAttribute('aria-invalid', 'true')
    await expect(page.getByText(/The draft has errors/)).toBeVisible()
    await shot(page, 'emails-error')
    // Saving it is refused the same way, and nothing changes.
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await expect(page.getByText('Line 5: unknown variable `undefined_var`', { exact: false })).toBeVisible()
    await page.getByRole('button', { name: 'Discard changes' }).click()
    await expect(body).not.toHaveAttribute('aria-invalid', 'true')
  })

  await test.step('email SMTP: a real SMTP server, tested step by step, saved, and used for the users\' emails', async () => {
    smtp = await startSmtpServer()
    await page.getByRole('tab', { name: 'Email SMTP' }).click()
    await expect(page).toHaveURL(new RegExp(`/i/${slug}/general/smtp$`))
    await expect(page.getByText('Not configured yet')).toBeVisible()
    await expect(page.getByText(/Disabled: the platform's transport sends them/)).toBeVisible()

    await page.getByRole('switch', { name: /Send this instance's emails through this SMTP server/ }).check()
    await page.getByRole('textbox', { name: 'Host' }).fill('127.0.0.1')
    await page.getByRole('combobox', { name: 'Security' }).click()
    await page.getByRole('option', { name: /^None/ }).click()
    await expect(page.getByRole('textbox', { name: 'Port' })).toHaveValue('25')
    await page.getByRole('textbox', { name: 'Port' }).fill(String(smtp.port))
    await page.getByRole('textbox', { name: 'From address' }).fill(`no-reply-${stamp}@acme.example`)
    await page.getByRole('textbox', { name: 'From name' }).fill('Acme Shop')

    // The test uses the form as it is (not saved yet).
    const to = `smtp-test-${stamp}@example.com`
    await page.getByRole('textbox', { name: 'Send to' }).fill(to)
    await page.getByRole('button', { name: 'Send test email' }).click()
    const result = page.getByRole('region', { name: 'Test result' })
    await expect(result.getByText('The server accepted the test email', { exact: true })).toBeVisible({ timeout: 30_000 })
    await expect(result.locator('[data-step="connect"]')).toHaveAttribute('data-outcome', 'ok')
    await expect(result.locator('[data-step="tls"]')).toHaveAttribute('data-outcome', 'skipped')
    await expect(result.locator('[data-step="auth"]')).toHaveAttribute('data-outcome', 'skipped')
    await expect(result.locator('[data-step="send"]')).toHaveAttribute('data-outcome', 'ok')
    await expect(result).toContainText(`the server accepted the test email to ${to}`)
    await expect.poll(() => smtp?.received() ?? '').toContain(`To: ${to}`)
    await shot(page, 'smtp')

    await page.getByRole('button', { name: 'Save settings' }).click()
    await expect(page.getByText('SMTP settings saved: emails sent from now on use this server')).toBeVisible()
    await page.reload()
    await expect(page.getByRole('textbox', { name: 'Host' })).toHaveValue('127.0.0.1')
    await expect(page.getByRole('textbox', { name: 'Port' })).toHaveValue(String(smtp.port))
    await expect(page.getByRole('combobox', { name: 'Security' })).toHaveValue('None')
    await expect(page.getByRole('textbox', { name: 'From address' })).toHaveValue(`no-reply-${stamp}@acme.example`)
    await expect(page.getByRole('switch', { name: /Send this instance's emails/ })).toBeChecked()
    await expect(page.getByText('In use', { exact: true })).toBeVisible()
  })

  await test.step("a user's verification email: the custom message, through the instance's SMTP server", async () => {
    await nav.getByRole('link', { name: 'Applications' }).click()
    await page.getByRole('button', { name: 'New application' }).first().click()
    const create = page.getByRole('dialog', { name: 'New application' })
    await create.getByRole('textbox', { name: 'Name' }).fill('Shop web')
    await create.getByRole('textbox', { name: 'Origin 1' }).fill('https://shop.example.com')
    await create.getByRole('button', { name: 'Create application' }).click()
    await expect(page.getByRole('heading', { name: 'Shop web' })).toBeVisible()
    const clientId = (await page.locator('main').innerText()).match(/app_[A-Za-z0-9_-]{8,}/)?.[0] ?? ''
    expect(clientId).not.toBe('')

    const reader = `reader-${stamp}@example.com`
    const registered = await fetch(`${base}/public/v1/${slug}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-client-id': clientId },
      body: JSON.stringify({ email: reader, password: 'correct horse battery', given_name: 'Reader', family_name: 'One' }),
    })
    expect(registered.status).toBe(202)
    await expect.poll(() => smtp?.received() ?? '', { timeout: 20_000 }).toContain(`To: ${reader}`)
    expect(smtp?.received()).toContain('Welcome aboard Reader')

    await nav.getByRole('link', { name: 'Emails' }).click()
    const row = page.getByRole('row').filter({ hasText: reader })
    await expect(row.getByText('Sent', { exact: true })).toBeVisible({ timeout: 15_000 })
    await expect(row.getByText('Custom SMTP')).toBeVisible()
  })
})
